/** Shapes shared by several Microsoft.NetworkCloud resource types. */
import { arr, armId, dateTime, enm, int, map, obj, ro, str, type Field } from './schema.js';

export const NAME_PATTERN = '^([a-zA-Z0-9][a-zA-Z0-9-_]{0,28}[a-zA-Z0-9])$';
export const MACHINE_NAME_PATTERN = '^([a-zA-Z0-9][a-zA-Z0-9]{0,62}[a-zA-Z0-9])$';
export const MAC_PATTERN = '^([0-9A-Fa-f]{2}[:-]){5}([0-9A-Fa-f]{2})$';

export const location: Field = str('The Azure region the resource lives in.', { required: true, createOnly: true });

export const tags: Field = map('Resource tags: free-form key/value pairs.', str('A tag value.'));

export const extendedLocation = (what: string): Field =>
  obj(
    `The custom location that ${what}.`,
    {
      name: str('The resource id of the extended location.', { required: true }),
      type: str('The kind of extended location, for example CustomLocation.', { required: true }),
    },
    { required: true, createOnly: true, definition: 'ExtendedLocation' },
  );

export const managedIdentity: Field = obj(
  'The managed identities of the resource.',
  {
    principalId: str('Object id of the system-assigned identity.', { format: 'uuid', readOnly: true }),
    tenantId: str('Tenant of the system-assigned identity.', { format: 'uuid', readOnly: true }),
    type: enm(['None', 'SystemAssigned', 'UserAssigned', 'SystemAssigned,UserAssigned'], 'Which kinds of managed identity the resource has.', { required: true }),
    userAssignedIdentities: map(
      'User-assigned identities, keyed by their resource ids. Send an empty object for each.',
      obj(
        'A user-assigned identity as the resource sees it.',
        {
          principalId: str('Object id of the identity.', { format: 'uuid', readOnly: true }),
          clientId: str('Client id of the identity.', { format: 'uuid', readOnly: true }),
        },
        { definition: 'UserAssignedIdentity' },
      ),
    ),
  },
  { since: '2024-07-01', definition: 'ManagedServiceIdentity' },
);

export const identitySelector = (o: Partial<Field> = {}): Field =>
  obj(
    'Chooses which of the resource\'s managed identities is used.',
    {
      identityType: enm(['SystemAssignedIdentity', 'UserAssignedIdentity'], 'Whether the system-assigned or a user-assigned identity is used.'),
      userAssignedIdentityResourceId: armId('Resource id of the user-assigned identity to use; only with UserAssignedIdentity.', { nullable: true }),
    },
    { definition: 'IdentitySelector', ...o },
  );

export const administrativeCredentials = (o: Partial<Field> = {}): Field =>
  obj(
    'A user name and password for an administrative interface.',
    {
      password: str('The password. Write-only: it is never returned.', { required: true, secret: true, minLength: 1 }),
      username: str('The user name.', { required: true, minLength: 1 }),
    },
    { definition: 'AdministrativeCredentials', ...o },
  );

export const actionStates: Field = ro(
  arr(
    'Progress of the most recent actions run against the resource.',
    obj(
      'The state of one action.',
      {
        actionType: str('The action, such as the name of the POST operation.'),
        correlationId: str('The correlation id of the request that started it.'),
        endTime: str('When the action finished.'),
        message: str('Detail about the outcome.'),
        startTime: str('When the action started.'),
        status: enm(['Completed', 'Failed', 'InProgress'], 'Where the action stands.'),
        stepStates: arr(
          'The steps of the action.',
          obj(
            'One step of an action.',
            {
              endTime: str('When the step finished.'),
              message: str('Detail about the step.'),
              startTime: str('When the step started.'),
              status: enm(['Completed', 'Failed', 'InProgress', 'NotStarted'], 'Where the step stands.'),
              stepName: str('The name of the step.'),
            },
            { definition: 'StepState' },
          ),
        ),
      },
      { definition: 'ActionState' },
    ),
    { since: '2025-07-01-preview' },
  ),
);

export const secretRotationStatus: Field = ro(
  arr(
    'The rotation state of each credential the platform manages for this resource.',
    obj(
      'Rotation state of one managed credential.',
      {
        expirePeriodDays: int('Days after a rotation at which the credential expires.'),
        lastRotationTime: dateTime('When the credential was last rotated.'),
        rotationPeriodDays: int('Days between rotations.'),
        secretArchiveReference: obj(
          'Where the current value of the credential is archived.',
          {
            keyVaultId: armId('Resource id of the key vault holding the secret.'),
            keyVaultUri: str('URI of the key vault holding the secret.', { since: '2025-07-01-preview' }),
            secretName: str('Name of the secret in the vault.'),
            secretVersion: str('Version of the secret that holds the current value.'),
          },
          { definition: 'SecretArchiveReference' },
        ),
        secretType: str('Which credential this is.'),
      },
      { definition: 'SecretRotationStatus' },
    ),
    { since: '2024-07-01' },
  ),
);

export const caCertificate = (what: string): Field =>
  ro(
    obj(
      `The certificate of the platform CA that issues the TLS certificates of the ${what}'s management interfaces. Trust it to talk to those interfaces securely.`,
      {
        hash: str('SHA-256 fingerprint of the certificate (lower-case hex of its DER encoding).'),
        value: str('The certificate in PEM form.'),
      },
      { since: '2025-07-01-preview', definition: 'CertificateInfo' },
    ),
  );

export const managedResourceGroupConfiguration: Field = obj(
  'The resource group the platform manages on the customer\'s behalf.',
  {
    location: str('Region of the managed resource group.'),
    name: str('Name of the managed resource group.', { maxLength: 75 }),
  },
  { definition: 'ManagedResourceGroupConfiguration', createOnly: true },
);

export const monitoringConfigurationStatus: Field = ro(
  obj(
    'The monitoring levels in effect.',
    {
      logLevel: enm(['Default', 'Nexus'], 'The log collection level.'),
      metricsLevel: enm(['Default', 'Nexus'], 'The metrics collection level.'),
    },
    { since: '2026-07-01', definition: 'MonitoringConfigurationStatus' },
  ),
);
