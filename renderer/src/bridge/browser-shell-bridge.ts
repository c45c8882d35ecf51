/**
 * The bridge client for the browser shell. Each method is a POST to the loopback shell at
 * `/bridge/<method>` carrying the per-launch secret. Every outcome, including a dead shell or
 * a reply that is not a bridge result, comes back as a `BridgeResult`, never as a thrown error.
 */
import {
  agentEventsPath,
  bridgeSecretHeader,
  type AgentEvent,
  type AgentEventListener,
  type BridgeError,
  type BridgeMethod,
  type BridgeResult,
  type ClinicGateBridge,
} from '../../../electron/shared/bridge';
import { errorCatalogue, isErrorCode, type ErrorCode } from '../../../electron/shared/error-codes';

const defaultTimeoutMs = 30_000;

const shellUnreachableMessage =
  'ClinicGate on this computer is not responding. Restart ClinicGate and open the address it prints.';

export function createBrowserShellBridge(options: BrowserShellBridgeOptions): ClinicGateBridge {
  const post = <T>(method: BridgeMethod, input: object) => postBridgeRequest<T>(method, input, options);

  return Object.freeze({
    getSetupState: () => post('getSetupState', {}),
    probeServer: (input) => post('probeServer', input),
    saveServer: (input) => post('saveServer', input),
    submitPassword: (input) => post('submitPassword', input),
    sendCode: (input) => post('sendCode', input),
    verifyCode: (input) => post('verifyCode', input),
    cancelSignIn: () => post('cancelSignIn', {}),
    getSession: () => post('getSession', {}),
    signOut: () => post('signOut', {}),
    reportActivity: () => post('reportActivity', {}),
    listAuditEvents: (input) => post('listAuditEvents', input),
    exportAuditEvents: (input) => post('exportAuditEvents', input),
    listTrustedWorkstations: () => post('listTrustedWorkstations', {}),
    renameTrustedWorkstation: (input) => post('renameTrustedWorkstation', input),
    revokeTrustedWorkstation: (input) => post('revokeTrustedWorkstation', input),
    startPasswordReset: (input) => post('startPasswordReset', input),
    resendPasswordResetCode: () => post('resendPasswordResetCode', {}),
    verifyPasswordResetCode: (input) => post('verifyPasswordResetCode', input),
    completePasswordReset: (input) => post('completePasswordReset', input),
    cancelPasswordReset: () => post('cancelPasswordReset', {}),
    verifyAccountSetupCode: (input) => post('verifyAccountSetupCode', input),
    completeAccountSetup: (input) => post('completeAccountSetup', input),
    cancelAccountSetup: () => post('cancelAccountSetup', {}),
    changePassword: (input) => post('changePassword', input),
    estimatePasswordStrength: (input) => post('estimatePasswordStrength', input),
    getPracticeSettings: () => post('getPracticeSettings', {}),
    changePracticeSetting: (input) => post('changePracticeSetting', input),
    setTrustedNetworks: (input) => post('setTrustedNetworks', input),
    listPracticeUsers: (input) => post('listPracticeUsers', input),
    createPracticeUser: (input) => post('createPracticeUser', input),
    sendAccountSetupCode: (input) => post('sendAccountSetupCode', input),
    updatePracticeUser: (input) => post('updatePracticeUser', input),
    administerPracticeUser: (input) => post('administerPracticeUser', input),
    listPracticeUserWorkstations: (input) => post('listPracticeUserWorkstations', input),
    revokePracticeUserWorkstation: (input) => post('revokePracticeUserWorkstation', input),
    getProfile: () => post('getProfile', {}),
    setPreferredChannel: (input) => post('setPreferredChannel', input),
    startContactChange: (input) => post('startContactChange', input),
    verifyContactChange: (input) => post('verifyContactChange', input),
    listActiveSessions: () => post('listActiveSessions', {}),
    signOutEverywhere: () => post('signOutEverywhere', {}),
    onAgentEvent: (listener) => subscribeToAgentEvents(listener, options),
  } satisfies ClinicGateBridge);
}

const reconnectDelayMs = 2_000;

/**
 * Reads the shell's Server-Sent Events stream with fetch, because EventSource cannot send the
 * secret header. The stream reconnects after a pause until the returned function is called.
 */
function subscribeToAgentEvents(listener: AgentEventListener, options: BrowserShellBridgeOptions): () => void {
  const controller = new AbortController();
  const secret = options.secret;
  if (secret === null || secret === '') {
    return () => controller.abort();
  }

  async function readStream(): Promise<void> {
    const response = await fetch(`${options.baseUrl ?? ''}${agentEventsPath}`, {
      method: 'GET',
      headers: { Accept: 'text/event-stream', [bridgeSecretHeader]: secret as string },
      credentials: 'omit',
      signal: controller.signal,
    });
    if (!response.ok || response.body === null) {
      return;
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        return;
      }
      buffered += value;
      let boundary = buffered.indexOf('\n\n');
      while (boundary !== -1) {
        const event = parseAgentEvent(buffered.slice(0, boundary));
        buffered = buffered.slice(boundary + 2);
        if (event !== null) {
          listener(event);
        }
        boundary = buffered.indexOf('\n\n');
      }
    }
  }

  async function keepReading(): Promise<void> {
    while (!controller.signal.aborted) {
      try {
        await readStream();
      } catch {
        // The shell restarted or the network dropped; the loop reconnects after the pause.
      }
      if (!controller.signal.aborted) {
        await new Promise((resolve) => setTimeout(resolve, reconnectDelayMs));
      }
    }
  }

  void keepReading();
  return () => controller.abort();
}

/** Returns the event in one `data:` block of the stream, or null for comments and unknown data. */
function parseAgentEvent(block: string): AgentEvent | null {
  const data = block
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(5).trimStart())
    .join('\n');
  if (data === '') {
    return null;
  }
  try {
    const parsed: unknown = JSON.parse(data);
    return isRecord(parsed) && typeof parsed.type === 'string' ? (parsed as unknown as AgentEvent) : null;
  } catch {
    return null;
  }
}

async function postBridgeRequest<T>(
  method: BridgeMethod,
  input: object,
  options: BrowserShellBridgeOptions,
): Promise<BridgeResult<T>> {
  if (options.secret === null || options.secret === '') {
    return failure('BRIDGE_UNAUTHORIZED');
  }

  let response: Response;
  try {
    response = await fetch(`${options.baseUrl ?? ''}/bridge/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', [bridgeSecretHeader]: options.secret },
      body: JSON.stringify(input),
      credentials: 'omit',
      signal: AbortSignal.timeout(options.timeoutMs ?? defaultTimeoutMs),
    });
  } catch {
    return failure('SERVER_UNREACHABLE', shellUnreachableMessage);
  }

  const body = await readJsonBody(response);
  // A success body counts only with a success status. A failure result counts with any status,
  // because the shell replies to a failed guard (403, 400) with a failure result.
  if (isBridgeFailure(body) || (response.ok && isBridgeSuccess(body))) {
    return body as BridgeResult<T>;
  }
  if (response.status === 401 || response.status === 403) {
    return failure('BRIDGE_UNAUTHORIZED');
  }
  return failure('SERVER_UNREACHABLE', shellUnreachableMessage);
}

async function readJsonBody(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

function isBridgeSuccess(body: unknown): boolean {
  return isRecord(body) && body.ok === true && Object.hasOwn(body, 'value');
}

function isBridgeFailure(body: unknown): boolean {
  if (!isRecord(body) || body.ok !== false || !isRecord(body.error)) {
    return false;
  }
  return isErrorCode(body.error.code) && typeof body.error.message === 'string';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function failure(code: ErrorCode, message: string = errorCatalogue[code].message): { ok: false; error: BridgeError } {
  return { ok: false, error: { code, message } };
}

export interface BrowserShellBridgeOptions {
  /** The per-launch secret from the shell's URL, or null when the page was opened without it. */
  secret: string | null;
  /** Origin of the shell, like `http://127.0.0.1:5000`. Empty or absent means the page's own origin. */
  baseUrl?: string;
  /** Time in milliseconds after which a request counts as failed. The default is 30 s. */
  timeoutMs?: number;
}
