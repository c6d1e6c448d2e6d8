import { expect } from 'chai';
import { frozenClock } from './helpers.js';
import {
  certificateStatus, issuerRotationPlan, isExpired, needsRenewal, renewalTime, trustBundleFor,
} from '../../rp/pki/policy.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2030, 0, 1);

describe('pki/policy', () => {
  describe('renewalTime / needsRenewal', () => {
    it('is 2/3 into the validity by default, and honours a custom fraction', () => {
      expect(renewalTime(T0, T0 + 90 * DAY).toISOString()).to.equal(new Date(T0 + 60 * DAY).toISOString());
      expect(renewalTime(new Date(T0), new Date(T0 + 100 * DAY), 0.5).getTime()).to.equal(T0 + 50 * DAY);
      expect(renewalTime(new Date(T0).toISOString(), new Date(T0 + 3 * 1000).toISOString()).getTime()).to.equal(T0 + 2000);
    });

    it('truncates to whole seconds like X.509 dates', () => {
      expect(renewalTime(T0, T0 + 10_000).getTime()).to.equal(T0 + 6000); // 6666.67 ms → 6 s
    });

    it('rejects nonsense', () => {
      expect(() => renewalTime(T0, T0)).to.throw(/after/);
      expect(() => renewalTime(T0, T0 + DAY, 0)).to.throw(/fraction/);
      expect(() => renewalTime('not a date', T0)).to.throw(/instant/);
    });

    it('follows a Clock moved forward', async () => {
      const clock = frozenClock(T0);
      const cert = { notBefore: clock.nowMs(), notAfter: clock.nowMs() + 90 * DAY };
      expect(needsRenewal(cert, clock.now())).to.equal(false);
      await clock.advance(60 * DAY - 1000);
      expect(needsRenewal(cert, clock.now())).to.equal(false);
      await clock.advance(1000);
      expect(needsRenewal(cert, clock.now())).to.equal(true);
      expect(isExpired(cert, clock.now())).to.equal(false);
      await clock.advance(30 * DAY);
      expect(isExpired(cert, clock.now())).to.equal(true);
    });

    it('prefers a stored renewalTime over the default fraction', () => {
      const cert = { notBefore: T0, notAfter: T0 + 90 * DAY, renewalTime: new Date(T0 + 10 * DAY).toISOString() };
      expect(needsRenewal(cert, T0 + 10 * DAY)).to.equal(true);
    });
  });

  describe('issuerRotationPlan', () => {
    const issuer = { notBefore: T0, notAfter: T0 + 365 * DAY };
    const overlap = 30 * DAY;

    it('walks old → old+new → new with the signer switching halfway through the overlap', () => {
      const phases = [0, 335 * DAY - 1, 335 * DAY, 350 * DAY - 1, 350 * DAY, 365 * DAY - 1, 365 * DAY, 400 * DAY]
        .map((d) => issuerRotationPlan(issuer, T0 + d, overlap))
        .map((p) => `${p.phase}:${p.trustBundle}:${p.signer}:${p.reissueLeavesFromOld}`);
      expect(phases).to.deep.equal([
        'active:old:old:false', 'active:old:old:false',
        'introduce:old+new:old:false', 'introduce:old+new:old:false',
        'switched:old+new:new:true', 'switched:old+new:new:true',
        'retired:new:new:true', 'retired:new:new:true',
      ]);
      const plan = issuerRotationPlan(issuer, T0, overlap);
      expect(plan.introduceSuccessorAt).to.equal(new Date(T0 + 335 * DAY).toISOString());
      expect(plan.switchSignerAt).to.equal(new Date(T0 + 350 * DAY).toISOString());
      expect(plan.retireAt).to.equal(new Date(T0 + 365 * DAY).toISOString());
    });

    it('builds the bundle members from the plan', () => {
      expect(trustBundleFor(issuerRotationPlan(issuer, T0, overlap), 'old', null)).to.deep.equal(['old']);
      expect(trustBundleFor(issuerRotationPlan(issuer, T0 + 340 * DAY, overlap), 'old', 'new')).to.deep.equal(['old', 'new']);
      expect(trustBundleFor(issuerRotationPlan(issuer, T0 + 366 * DAY, overlap), 'old', 'new')).to.deep.equal(['new']);
    });

    it('refuses an overlap as long as the issuer lives', () => {
      expect(() => issuerRotationPlan(issuer, T0, 365 * DAY)).to.throw(/shorter/);
      expect(() => issuerRotationPlan(issuer, T0, 0)).to.throw(/positive/);
    });
  });

  describe('certificateStatus', () => {
    const cert = { notBefore: T0, notAfter: T0 + 90 * DAY, revision: 3 };

    it('not issued yet: Ready False / Issuing True, reason DoesNotExist', () => {
      const s = certificateStatus({ cert: null, now: T0 });
      expect(s.conditions.map((c) => `${c.type}=${c.status}/${c.reason}`)).to.deep.equal(['Ready=False/DoesNotExist', 'Issuing=True/DoesNotExist']);
      expect(s.revision).to.equal(undefined);
    });

    it('fresh certificate: Ready True only, with times and revision', () => {
      const s = certificateStatus({ cert, now: T0 + DAY });
      expect(s.conditions).to.deep.equal([{
        type: 'Ready', status: 'True', reason: 'Ready', message: 'Certificate is up to date and has not expired',
        lastTransitionTime: new Date(T0 + DAY).toISOString(),
      }]);
      expect(s).to.include({
        notBefore: new Date(T0).toISOString(), notAfter: new Date(T0 + 90 * DAY).toISOString(),
        renewalTime: new Date(T0 + 60 * DAY).toISOString(), revision: 3,
      });
    });

    it('keeps lastTransitionTime while a status holds and moves it when it flips', () => {
      const first = certificateStatus({ cert, now: T0 + DAY });
      const later = certificateStatus({ cert, now: T0 + 10 * DAY, previous: first });
      expect(later.conditions[0].lastTransitionTime).to.equal(first.conditions[0].lastTransitionTime);
      const renewing = certificateStatus({ cert, now: T0 + 61 * DAY, previous: later });
      expect(renewing.conditions[0]).to.include({ type: 'Ready', status: 'True', lastTransitionTime: first.conditions[0].lastTransitionTime });
      expect(renewing.conditions[1]).to.include({ type: 'Issuing', status: 'True', reason: 'Renewing', lastTransitionTime: new Date(T0 + 61 * DAY).toISOString() });
      expect(renewing.conditions[1].message).to.equal(`Renewing certificate as renewal was scheduled at ${new Date(T0 + 60 * DAY).toISOString()}`);
      const expired = certificateStatus({ cert, now: T0 + 91 * DAY, previous: renewing });
      expect(expired.conditions[0]).to.include({ status: 'False', reason: 'Expired', lastTransitionTime: new Date(T0 + 91 * DAY).toISOString() });
      expect(expired.conditions[1]).to.include({ status: 'True', reason: 'Expired', lastTransitionTime: renewing.conditions[1].lastTransitionTime });
    });

    it('reports a failed issuance as Issuing False / Failed with lastFailureTime', () => {
      const s = certificateStatus({ cert, now: T0 + 61 * DAY, failure: { message: 'issuer not ready' } });
      expect(s.conditions[1]).to.include({ type: 'Issuing', status: 'False', reason: 'Failed' });
      expect(s.conditions[1].message).to.match(/issuer not ready/);
      expect(s.lastFailureTime).to.equal(new Date(T0 + 61 * DAY).toISOString());
    });

    it('is JSON-serialisable as is', () => {
      const s = certificateStatus({ cert, now: T0 + 61 * DAY });
      expect(JSON.parse(JSON.stringify(s))).to.deep.equal(s);
    });
  });
});
