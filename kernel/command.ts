import type { Actor } from './actor.ts';
import { inTransaction, type Services, type UnitOfWork } from './unit-of-work.ts';

/**
 * What a command runs with: the unit of work it writes in (one transaction, its jobs and live events)
 * and the actor it acts for. Commands are plain functions `(ctx, input) → result`; they check what the
 * actor may do to every object they touch and throw a `DomainError` when they refuse.
 */
export type CommandContext = { uow: UnitOfWork; actor: Actor };

/** Runs a command for an actor in its own transaction. */
export function runCommand<T>(services: Services, actor: Actor, command: (ctx: CommandContext) => Promise<T>): Promise<T> {
  return inTransaction(services, (uow) => command({ uow, actor }));
}
