/** Contractor records → Gusto's Contractor JSON, with the time-dependent fields worked out for now. */
import { fromCents } from '../gusto/money.js';
import { dateIn } from './calendar.js';
import type { Ctx } from './context.js';
import { dismissalCancellable, isActive, rehireCancellable, timeZoneOf } from './contractor-state.js';
import type { Contractor } from './model.js';

type Json = Record<string, unknown>;

const maskEin = (ein: string | null): string | null => (ein ? `XX-XXX${ein.slice(-4)}` : null);

export function contractorJson(ctx: Ctx, c: Contractor): Json {
  const nowMs = ctx.now.getTime();
  const timeZone = timeZoneOf(ctx.sim.store, c);
  const today = dateIn(ctx.now, timeZone);
  const pendingRehire = c.rehire && !c.rehire.effective ? c.rehire : null;
  return {
    uuid: c.uuid,
    company_uuid: c.companyUuid,
    wage_type: c.wageType,
    is_active: isActive(c, today),
    version: c.version,
    type: c.type,
    first_name: c.firstName,
    last_name: c.lastName,
    middle_initial: c.middleInitial,
    business_name: c.businessName,
    ein: maskEin(c.ein),
    has_ein: c.ein !== null,
    email: c.email,
    start_date: c.startDate,
    address: { ...c.address, country: 'USA' },
    hourly_rate: fromCents(c.hourlyRateCents),
    file_new_hire_report: c.fileNewHireReport,
    work_state: c.workState,
    onboarded: true,
    onboarding_status: 'onboarding_completed',
    payment_method: c.paymentMethod,
    has_ssn: c.hasSsn,
    department_uuid: null,
    department: c.department,
    department_title: c.department,
    dismissal_date: c.endDate,
    upcoming_employment: pendingRehire ? { start_date: pendingRehire.startDate, setup_status: null } : null,
    dismissal_cancellation_eligible: dismissalCancellable(c, nowMs, timeZone),
    rehire_cancellation_eligible: rehireCancellable(c, nowMs, timeZone),
    member_portal_invitation_status: null,
    partner_portal_invitation_sent: false,
  };
}
