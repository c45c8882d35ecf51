import type { Role } from '../../../electron/shared/api';

/** Permissions of each role, sent with the session so the desktop app can hide what a role cannot use. */
export const rolePermissions: Readonly<Record<Role, readonly string[]>> = {
  clinician: ['patients:read', 'charts:read', 'charts:write', 'schedule:read', 'telehealth:start', 'profile:manage'],
  front_desk: ['patients:read', 'patients:register', 'schedule:read', 'schedule:write', 'profile:manage'],
  billing: ['patients:read', 'billing:read', 'billing:write', 'profile:manage'],
  practice_admin: [
    'patients:read',
    'schedule:read',
    'billing:read',
    'profile:manage',
    'practice:settings',
    'users:manage',
    'audit:read',
  ],
};

export function permissionsForRole(role: Role): string[] {
  return [...rolePermissions[role]];
}
