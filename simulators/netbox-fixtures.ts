/**
 * The users and credentials of the simulated NetBox. Tests, the sandbox and
 * the benchmark share them, so the README's curl lines name the same tokens.
 */

export type EndpointModel = 'proxmox' | 'netbox' | 'fastapi';

export interface NetBoxUser {
  username: string;
  active: boolean;
  superuser: boolean;
  /** Models of the plugin whose view permission the user holds. */
  viewRights: EndpointModel[];
}

export const USERS = {
  admin: { username: 'admin', active: true, superuser: true, viewRights: [] },
  proxmoxViewer: { username: 'proxmox-viewer', active: true, superuser: false, viewRights: ['proxmox'] },
  netboxViewer: { username: 'netbox-viewer', active: true, superuser: false, viewRights: ['netbox'] },
  fastapiViewer: { username: 'fastapi-viewer', active: true, superuser: false, viewRights: ['fastapi'] },
  noRights: { username: 'no-rights', active: true, superuser: false, viewRights: [] },
  inactive: { username: 'inactive', active: false, superuser: false, viewRights: ['proxmox', 'netbox', 'fastapi'] },
} satisfies Record<string, NetBoxUser>;

export type UserName = keyof typeof USERS;

export interface TokenFixture {
  user: UserName;
  expired: boolean;
}

/** NetBox v1 tokens: 40 hexadecimal characters, sent as "Authorization: Token <key>". */
export const V1_TOKENS = {
  admin: '0123456789abcdef0123456789abcdef01234567',
  proxmoxViewer: '1111111111111111111111111111111111111111',
  netboxViewer: '2222222222222222222222222222222222222222',
  fastapiViewer: '3333333333333333333333333333333333333333',
  noRights: '4444444444444444444444444444444444444444',
  inactive: '5555555555555555555555555555555555555555',
  expired: '6666666666666666666666666666666666666666',
};

/** NetBox 4.5+ v2 tokens, sent as "Authorization: Bearer nbt_<key>.<secret>". */
export const V2_TOKENS = {
  proxmoxViewer: 'nbt_k7Qm2xVb9LpA.Zt4nR8sW1yU6oE3iH5gJ0cD2fB7aK9mX4pL6vN8q',
  noRights: 'nbt_p2Wd8sFh4JkL.Qa1sD3fG5hJ7kL9zX2cV4bN6mQ8wE0rT1yU3iO5pA',
  expired: 'nbt_e9Tr4eWq2AsD.Fg6hJ8kL0zX3cV5bN7mQ9wE1rT2yU4iO6pA8sD0fG',
};

/** Django session IDs, sent as the `sessionid` cookie. */
export const SESSIONS = {
  admin: 'x9k2m7q4w1e8r5t3y6u0i2o4p7a9s1d3',
  noRights: 'z8j1n6b3v5c7x9l2k4h6g8f0d2s4a6q8',
};

export const TOKEN_OWNERS: Record<string, TokenFixture> = {
  [V1_TOKENS.admin]: { user: 'admin', expired: false },
  [V1_TOKENS.proxmoxViewer]: { user: 'proxmoxViewer', expired: false },
  [V1_TOKENS.netboxViewer]: { user: 'netboxViewer', expired: false },
  [V1_TOKENS.fastapiViewer]: { user: 'fastapiViewer', expired: false },
  [V1_TOKENS.noRights]: { user: 'noRights', expired: false },
  [V1_TOKENS.inactive]: { user: 'inactive', expired: false },
  [V1_TOKENS.expired]: { user: 'proxmoxViewer', expired: true },
  [V2_TOKENS.proxmoxViewer]: { user: 'proxmoxViewer', expired: false },
  [V2_TOKENS.noRights]: { user: 'noRights', expired: false },
  [V2_TOKENS.expired]: { user: 'proxmoxViewer', expired: true },
};

export const SESSION_OWNERS: Record<string, UserName> = {
  [SESSIONS.admin]: 'admin',
  [SESSIONS.noRights]: 'noRights',
};

/** NetBox's and Django REST framework's own messages, as the real services send them. */
export const NETBOX_DETAILS = {
  invalidToken: 'Invalid token',
  expiredToken: 'Token expired',
  inactiveUser: 'User inactive',
  notAuthenticated: 'Authentication credentials were not provided.',
  permissionDenied: 'You do not have permission to perform this action.',
  notFound: 'Not found.',
};
