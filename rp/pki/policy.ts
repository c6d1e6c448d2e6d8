/**
 * Pure certificate-lifecycle decisions modelled on cert-manager: when to renew, how to rotate an
 * intermediate issuer with a trust-bundle overlap, and the status/conditions a Certificate shows.
 * No I/O and no clock reads: every function takes "now" from its caller.
 */
import type { Clock } from '../clock.js';

/** The part of the emulator's Clock the PKI reads; the narrow shape keeps tests simple. */
export type ClockLike = Pick<Clock, 'nowMs'>;

/** An instant as the emulator passes them around: Date, epoch ms, or ISO 8601 string. */
export type Instant = Date | number | string;

/** cert-manager's default: renew once 2/3 of the validity has elapsed. */
export const DEFAULT_RENEWAL_FRACTION = 2 / 3;

export function toMs(t: Instant): number {
  const ms = t instanceof Date ? t.getTime() : typeof t === 'number' ? t : Date.parse(t);
  if (Number.isNaN(ms)) throw new RangeError(`'${String(t)}' is not a valid instant`);
  return ms;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The moment a certificate should be renewed: notBefore + fraction × lifetime (whole seconds, like X.509). */
export function renewalTime(notBefore: Instant, notAfter: Instant, fraction = DEFAULT_RENEWAL_FRACTION): Date {
  if (!(fraction > 0 && fraction <= 1)) throw new RangeError(`renewal fraction must be in (0, 1], got ${fraction}`);
  const start = toMs(notBefore);
  const lifetime = toMs(notAfter) - start;
  if (lifetime <= 0) throw new RangeError('notAfter must be after notBefore');
  // Truncate to a second: certificate dates have one-second precision, so should their renewal time.
  return new Date(Math.floor((start + lifetime * fraction) / 1000) * 1000);
}

export interface CertificateTimes {
  notBefore: Instant;
  notAfter: Instant;
  /** Stored renewal time; derived from the validity with the default fraction when absent. */
  renewalTime?: Instant;
}

export function effectiveRenewalTime(cert: CertificateTimes): number {
  return cert.renewalTime !== undefined ? toMs(cert.renewalTime) : renewalTime(cert.notBefore, cert.notAfter).getTime();
}

export function needsRenewal(cert: CertificateTimes, now: Instant): boolean {
  return toMs(now) >= effectiveRenewalTime(cert);
}

export function isExpired(cert: CertificateTimes, now: Instant): boolean {
  return toMs(now) >= toMs(cert.notAfter);
}

// ---------------------------------------------------------------------------------------------
// Intermediate issuer rotation
// ---------------------------------------------------------------------------------------------

/**
 * Phases of replacing an intermediate issuer before it expires:
 *  - active:    only the current issuer exists; it signs and is the whole trust bundle.
 *  - introduce: the successor exists and is added to the bundle (old+new) but does not sign yet,
 *               so relying parties (BMC clients pinning caCertificate) can learn it first.
 *  - switched:  the successor signs; leaves from the old issuer are re-issued; both stay trusted
 *               because old-issuer leaves are still out there until they are replaced.
 *  - retired:   the old issuer has expired; the bundle is the successor alone.
 */
export type RotationPhase = 'active' | 'introduce' | 'switched' | 'retired';
export type TrustBundleShape = 'old' | 'old+new' | 'new';

export interface IssuerRotationPlan {
  phase: RotationPhase;
  /** Issue the successor and add it to the trust bundle: notAfter − overlap. */
  introduceSuccessorAt: string;
  /** Start signing with the successor and re-issue old leaves: halfway through the overlap. */
  switchSignerAt: string;
  /** Drop the old issuer from the bundle: its notAfter (nothing it signed is valid after). */
  retireAt: string;
  trustBundle: TrustBundleShape;
  signer: 'old' | 'new';
  /** Leaves signed by the old issuer must be re-issued now (they would die with it). */
  reissueLeavesFromOld: boolean;
}

/**
 * Where an intermediate is in its rotation at `now`. `overlap` is how long old and new are
 * trusted side by side; it must be shorter than the issuer's lifetime.
 */
export function issuerRotationPlan(issuer: CertificateTimes, now: Instant, overlapMs: number): IssuerRotationPlan {
  const notBefore = toMs(issuer.notBefore);
  const notAfter = toMs(issuer.notAfter);
  if (!(overlapMs > 0) || overlapMs >= notAfter - notBefore) {
    throw new RangeError(`rotation overlap must be positive and shorter than the issuer's lifetime (${notAfter - notBefore} ms), got ${overlapMs}`);
  }
  const introduce = notAfter - overlapMs;
  const switchAt = introduce + Math.floor(overlapMs / 2);
  const t = toMs(now);
  const phase: RotationPhase = t < introduce ? 'active' : t < switchAt ? 'introduce' : t < notAfter ? 'switched' : 'retired';
  return {
    phase,
    introduceSuccessorAt: iso(introduce),
    switchSignerAt: iso(switchAt),
    retireAt: iso(notAfter),
    trustBundle: phase === 'active' ? 'old' : phase === 'retired' ? 'new' : 'old+new',
    signer: phase === 'active' || phase === 'introduce' ? 'old' : 'new',
    reissueLeavesFromOld: phase === 'switched' || phase === 'retired',
  };
}

/** The trust bundle members for a plan: old, old+new or new (old when there is no successor yet). */
export function trustBundleFor<T>(plan: IssuerRotationPlan, old: T, successor: T | null): T[] {
  if (!successor) return [old];
  if (plan.trustBundle === 'old') return [old];
  if (plan.trustBundle === 'new') return [successor];
  return [old, successor];
}

// ---------------------------------------------------------------------------------------------
// cert-manager-like status
// ---------------------------------------------------------------------------------------------

export type ConditionType = 'Ready' | 'Issuing';
export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface CertificateCondition {
  type: ConditionType;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime: string;
}

export interface CertificateStatus {
  conditions: CertificateCondition[];
  notBefore?: string;
  notAfter?: string;
  renewalTime?: string;
  revision?: number;
  /** Set while the last issuance attempt failed (cert-manager's lastFailureTime). */
  lastFailureTime?: string;
}

export interface CertificateStatusInput {
  /** The current certificate, or null when none has been issued yet. */
  cert: (CertificateTimes & { revision: number }) | null;
  now: Instant;
  /** The previously reported status: lastTransitionTime only moves when a condition's status changes. */
  previous?: CertificateStatus;
  /** The last issuance attempt failed with this message. */
  failure?: { message: string; at?: Instant };
}

type ConditionDraft = Omit<CertificateCondition, 'lastTransitionTime'>;

function readyCondition(input: CertificateStatusInput, now: number): ConditionDraft {
  const { cert } = input;
  if (!cert) return { type: 'Ready', status: 'False', reason: 'DoesNotExist', message: 'Issuing certificate as Secret does not exist' };
  if (isExpired(cert, now)) return { type: 'Ready', status: 'False', reason: 'Expired', message: `Certificate expired on ${iso(toMs(cert.notAfter))}` };
  if (toMs(cert.notBefore) > now) return { type: 'Ready', status: 'False', reason: 'NotYetValid', message: `Certificate is not valid before ${iso(toMs(cert.notBefore))}` };
  return { type: 'Ready', status: 'True', reason: 'Ready', message: 'Certificate is up to date and has not expired' };
}

/** Issuing is present only while an issuance is due or has failed, as in cert-manager. */
function issuingCondition(input: CertificateStatusInput, now: number): ConditionDraft | null {
  if (input.failure) return { type: 'Issuing', status: 'False', reason: 'Failed', message: `The certificate request has failed to complete and will be retried: ${input.failure.message}` };
  if (!input.cert) return { type: 'Issuing', status: 'True', reason: 'DoesNotExist', message: 'Issuing certificate as Secret does not exist' };
  if (isExpired(input.cert, now)) return { type: 'Issuing', status: 'True', reason: 'Expired', message: `Issuing certificate as Secret was previously issued and expired on ${iso(toMs(input.cert.notAfter))}` };
  if (needsRenewal(input.cert, now)) {
    return { type: 'Issuing', status: 'True', reason: 'Renewing', message: `Renewing certificate as renewal was scheduled at ${iso(effectiveRenewalTime(input.cert))}` };
  }
  return null;
}

function withTransitionTime(draft: ConditionDraft, previous: CertificateStatus | undefined, now: number): CertificateCondition {
  const before = previous?.conditions.find((c) => c.type === draft.type);
  const lastTransitionTime = before && before.status === draft.status ? before.lastTransitionTime : iso(now);
  return { ...draft, lastTransitionTime };
}

/** Builds the status a cert-manager Certificate would report for this certificate at `now`. */
export function certificateStatus(input: CertificateStatusInput): CertificateStatus {
  const now = toMs(input.now);
  const drafts = [readyCondition(input, now), issuingCondition(input, now)].filter((d): d is ConditionDraft => d !== null);
  const status: CertificateStatus = { conditions: drafts.map((d) => withTransitionTime(d, input.previous, now)) };
  if (input.cert) {
    status.notBefore = iso(toMs(input.cert.notBefore));
    status.notAfter = iso(toMs(input.cert.notAfter));
    status.renewalTime = iso(effectiveRenewalTime(input.cert));
    status.revision = input.cert.revision;
  }
  if (input.failure) status.lastFailureTime = iso(input.failure.at !== undefined ? toMs(input.failure.at) : now);
  return status;
}
