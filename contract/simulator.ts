export type SimulatorChannel = { id: number; name: string };

export type SimulatorPhone = { channelId: number; channelName: string; number: string; token: string };

export type SimulatorMessage = { id: string; text: string; at: string };
