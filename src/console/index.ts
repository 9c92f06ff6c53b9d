// The serial console menu (`heartline console`): pure screens from data to rows of at most 80x24,
// a line editor for raw serial input, and the session that drives them through the CLI's own
// requests to the daemon.
export { ClusterGateway, type Answer, type AvailabilityFigures, type LinksReport } from './cluster-gateway.js';
export { ConsoleSession, type ConsoleSessionOptions, type SessionTerminal } from './console-session.js';
export { ConsoleTerminal, type TerminalInput } from './console-terminal.js';
export { defaultsFileText, importedKey, secretsDirectory, setupConfigText, writeSetup, type KeySource, type SetupAnswers, type SetupPaths } from './first-boot-setup.js';
export { LineEditor, LINE_LENGTH_MAX, type LineInput } from './line-editor.js';
export { layoutScreen, plainText, SCREEN_COLUMNS, SCREEN_ROWS, visibleWidth, wrapLine, type Choice, type Screen } from './screen-layout.js';
export { DEFAULT_START_COMMAND, runStartCommand } from './service-starter.js';
export { planSwitchover, switchoverDone, type SwitchoverStep } from './switchover-plan.js';
export { ANSI_STYLE, PLAIN_STYLE, terminalCapabilities, type Style, type TerminalCapabilities } from './terminal-style.js';
