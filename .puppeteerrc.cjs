/** whatsapp-web.js pulls in puppeteer: never download a browser; channels launch the system Chromium. */
module.exports = { skipDownload: true };
