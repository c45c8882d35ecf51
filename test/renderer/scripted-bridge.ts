/**
 * A `ClinicGateBridge` that returns canned results from a per-method queue and records every
 * call. Store tests use it in place of the agent, because the end-to-end suite covers the real bridge.
 */
import type {
  AgentEvent,
  AgentEventListener,
  BridgeError,
  BridgeInput,
  BridgeMethod,
  BridgeOutput,
  ClinicGateBridge,
  CodeDelivery,
  PasswordOutcome,
  ServerCertificate,
  SessionView,
  SetupState,
} from '../../electron/shared/bridge';
import { errorCatalogue, type ErrorCode, type ErrorDetails } from '../../electron/shared/error-codes';

export function createScriptedBridge(): ScriptedBridge {
  const queues = new Map<BridgeMethod, Array<ScriptedReply<BridgeMethod>>>();
  const calls: RecordedCall[] = [];
  const unscriptedCalls: BridgeMethod[] = [];
  const agentEventListeners = new Set<AgentEventListener>();

  async function answer<M extends BridgeMethod>(method: M, input: BridgeInput<M>): Promise<BridgeOutput<M>> {
    calls.push({ method, input });
    const reply = queues.get(method)?.shift() as ScriptedReply<M> | undefined;
    if (reply === undefined) {
      unscriptedCalls.push(method);
      return { ok: false, error: { code: 'INTERNAL_ERROR', message: `No scripted reply for ${method}.` } } as BridgeOutput<M>;
    }
    return typeof reply === 'function' ? await reply(input) : reply;
  }

  const bridge: ClinicGateBridge = {
    getSetupState: () => answer('getSetupState', undefined),
    probeServer: (input) => answer('probeServer', input),
    saveServer: (input) => answer('saveServer', input),
    submitPassword: (input) => answer('submitPassword', input),
    sendCode: (input) => answer('sendCode', input),
    verifyCode: (input) => answer('verifyCode', input),
    cancelSignIn: () => answer('cancelSignIn', undefined),
    getSession: () => answer('getSession', undefined),
    signOut: () => answer('signOut', undefined),
    reportActivity: () => answer('reportActivity', undefined),
    listAuditEvents: (input) => answer('listAuditEvents', input),
    exportAuditEvents: (input) => answer('exportAuditEvents', input),
    listTrustedWorkstations: () => answer('listTrustedWorkstations', undefined),
    renameTrustedWorkstation: (input) => answer('renameTrustedWorkstation', input),
    revokeTrustedWorkstation: (input) => answer('revokeTrustedWorkstation', input),
    startPasswordReset: (input) => answer('startPasswordReset', input),
    resendPasswordResetCode: () => answer('resendPasswordResetCode', undefined),
    verifyPasswordResetCode: (input) => answer('verifyPasswordResetCode', input),
    completePasswordReset: (input) => answer('completePasswordReset', input),
    cancelPasswordReset: () => answer('cancelPasswordReset', undefined),
    verifyAccountSetupCode: (input) => answer('verifyAccountSetupCode', input),
    completeAccountSetup: (input) => answer('completeAccountSetup', input),
    cancelAccountSetup: () => answer('cancelAccountSetup', undefined),
    changePassword: (input) => answer('changePassword', input),
    estimatePasswordStrength: (input) => answer('estimatePasswordStrength', input),
    getPracticeSettings: () => answer('getPracticeSettings', undefined),
    changePracticeSetting: (input) => answer('changePracticeSetting', input),
    setTrustedNetworks: (input) => answer('setTrustedNetworks', input),
    listPracticeUsers: (input) => answer('listPracticeUsers', input),
    createPracticeUser: (input) => answer('createPracticeUser', input),
    sendAccountSetupCode: (input) => answer('sendAccountSetupCode', input),
    updatePracticeUser: (input) => answer('updatePracticeUser', input),
    administerPracticeUser: (input) => answer('administerPracticeUser', input),
    listPracticeUserWorkstations: (input) => answer('listPracticeUserWorkstations', input),
    revokePracticeUserWorkstation: (input) => answer('revokePracticeUserWorkstation', input),
    getProfile: () => answer('getProfile', undefined),
    setPreferredChannel: (input) => answer('setPreferredChannel', input),
    startContactChange: (input) => answer('startContactChange', input),
    verifyContactChange: (input) => answer('verifyContactChange', input),
    listActiveSessions: () => answer('listActiveSessions', undefined),
    signOutEverywhere: () => answer('signOutEverywhere', undefined),
    onAgentEvent: (listener) => {
      agentEventListeners.add(listener);
      return () => agentEventListeners.delete(listener);
    },
  };

  return {
    bridge,
    calls,
    unscriptedCalls,
    reply(method, ...replies) {
      const queue = queues.get(method) ?? [];
      queue.push(...(replies as Array<ScriptedReply<BridgeMethod>>));
      queues.set(method, queue);
    },
    emitAgentEvent(event) {
      for (const listener of agentEventListeners) {
        listener(event);
      }
    },
    callsTo(method) {
      return calls.filter((call) => call.method === method).map((call) => call.input as BridgeInput<typeof method>);
    },
  };
}

export function succeed<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function fail(code: ErrorCode, details: ErrorDetails = {}): { ok: false; error: BridgeError } {
  return { ok: false, error: { code, message: errorCatalogue[code].message, ...details } };
}

export const testNow = Date.parse('2026-03-02T15:00:00.000Z');

export const configuredSetup: SetupState = {
  serverUrl: 'https://clinicgate.test.example:8443',
  certificateFingerprint: 'AB:CD',
  tokenStorage: 'keychain',
  shell: 'browser',
};

export const firstRunSetup: SetupState = { ...configuredSetup, serverUrl: null, certificateFingerprint: null };

export const serverCertificate: ServerCertificate = {
  serverUrl: 'https://clinicgate.test.example:8443',
  fingerprint: Array.from({ length: 32 }, (_, index) => index.toString(16).padStart(2, '0').toUpperCase()).join(':'),
  subject: 'clinicgate.test.example',
  issuer: 'clinicgate.test.example',
  validFrom: '2026-01-01T00:00:00.000Z',
  validTo: '2027-01-01T00:00:00.000Z',
};

export const sessionView: SessionView = {
  user: { username: 'frontdesk1', displayName: 'Dana Rivera', role: 'front_desk', permissions: [] },
  practice: { name: 'Cedar Street Acupuncture' },
  expiresAt: '2026-03-03T03:00:00.000Z',
  idleExpiresAt: '2026-03-02T15:15:00.000Z',
  mfa: true,
  workstationRemembered: true,
};

export const codeRequired: Extract<PasswordOutcome, { status: 'code_required' }> = {
  status: 'code_required',
  reason: 'new_workstation',
  channels: [
    { channel: 'email', destination: 'd•••@cedar.example' },
    { channel: 'sms', destination: '***-***-1234' },
  ],
  preferredChannel: 'sms',
};

export function codeDelivery(channel: CodeDelivery['channel'], overrides: Partial<CodeDelivery> = {}): CodeDelivery {
  return {
    channel,
    destination: channel === 'sms' ? '***-***-1234' : 'd•••@cedar.example',
    codeExpiresAt: '2026-03-02T15:10:00.000Z',
    resendAvailableAt: '2026-03-02T15:00:30.000Z',
    sendsRemainingThisHour: 4,
    attemptsRemaining: 5,
    ...overrides,
  };
}

type ScriptedReply<M extends BridgeMethod> =
  | BridgeOutput<M>
  | ((input: BridgeInput<M>) => BridgeOutput<M> | Promise<BridgeOutput<M>>);

export interface RecordedCall {
  method: BridgeMethod;
  input: unknown;
}

export interface ScriptedBridge {
  bridge: ClinicGateBridge;
  calls: RecordedCall[];
  /** Methods called with nothing left in their queue. A passing test leaves this empty. */
  unscriptedCalls: BridgeMethod[];
  /** Sends an agent event to every current subscriber, as the agent would. */
  emitAgentEvent(event: AgentEvent): void;
  reply<M extends BridgeMethod>(method: M, ...replies: Array<ScriptedReply<M>>): void;
  callsTo<M extends BridgeMethod>(method: M): Array<BridgeInput<M>>;
}
