/**
 * Seeding: turns company specs (the fixtures in sim/seed.json, or generated ones) into companies with
 * employees, contractors, past contractor payments and pre-generated payrolls. Everything random
 * comes from the sandbox's PRNG, so a seed number reproduces the same customer base. Fixtures keep
 * their keys, company names, sizes and contractor kinds whatever the seed, so tests find them by key.
 */
import { readFileSync } from 'node:fs';
import type { Cents } from '../gusto/money.js';
import { businessDayOnOrBefore } from '../domain/business-days.js';
import { addDays, dateIn, GUSTO_TIME_ZONE } from './calendar.js';
import type { Sim } from './context.js';
import { debitDateFor, settlePayment } from './funding.js';
import type {
  Company,
  Contractor,
  ContractorPayment,
  Employee,
  EmployeeDeduction,
  Job,
  Person,
} from './model.js';
import {
  BUSINESS_KINDS,
  BUSINESS_WORDS,
  ENTITY_SUFFIX,
  FIRST_NAMES,
  JOB_TITLES,
  LAST_NAMES,
  PLACES,
  STREET_NAMES,
} from './names.js';
import type { Prng } from './prng.js';
import { seedFileSchema, type CompanySpec, type ContractorSpec } from './seed-spec.js';
import { versionOf } from './store.js';

function seedFile() {
  const text = readFileSync(new URL('./seed.json', import.meta.url), 'utf8');
  return seedFileSchema.parse(JSON.parse(text));
}

export function loadFixtures(): CompanySpec[] {
  return seedFile().companies;
}

/** The fixtures with payroll blockers (a default sandbox seeds them after the runnable ones). */
export function loadBlockedFixtures(): CompanySpec[] {
  return seedFile().blocked_companies;
}

/** Fixtures first, then generated companies, up to `count` in total. */
export function seedCompanies(sim: Sim, fixtures: CompanySpec[], count: number, now: Date): Company[] {
  const specs = fixtures.slice(0, count);
  const created = specs.map((spec) => createCompany(sim, spec, now));
  for (let i = specs.length; i < count; i++)
    created.push(createCompany(sim, generateSpec(sim.store.rng), now));
  return created;
}

const slugify = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

function person(rng: Prng, domain: string): Person {
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  return {
    uuid: rng.uuid(),
    first_name: first,
    last_name: last,
    email: `${first}.${last}@${domain}`.toLowerCase(),
    phone: `${rng.int(201, 989)}${rng.int(200, 999)}${rng.int(1000, 9999)}`,
  };
}

export function createCompany(sim: Sim, spec: CompanySpec, now: Date): Company {
  const { store } = sim;
  const rng = store.rng;
  const index = store.companyOrder.length + 1;
  const domain = `${slugify(spec.name).slice(0, 24)}.example`;
  const today = dateIn(now, spec.time_zone);
  const biweekly = spec.pay_schedule === 'biweekly';
  const company: Company = {
    uuid: rng.uuid(),
    key: spec.key ?? `gen-${String(index).padStart(4, '0')}`,
    name: spec.name,
    tradeName: null,
    slug: slugify(spec.name),
    ein: `${rng.int(10, 99)}-${rng.int(1_000_000, 9_999_999)}`,
    entityType: spec.entity_type,
    location: { ...spec.location, street_2: null },
    timeZone: spec.time_zone,
    accessToken: rng.token(),
    refreshToken: rng.token(),
    achSpeedDays: spec.ach_speed_days,
    blockers: [...spec.blockers],
    joinDate: addDays(today, -rng.int(200, 1500)),
    seededAt: now.getTime(),
    signatory: person(rng, domain),
    admin: person(rng, domain),
    paySchedule: {
      uuid: rng.uuid(),
      frequency: biweekly ? 'Every other week' : 'Twice per month',
      // Sundays, so biweekly periods run Monday through Sunday.
      anchorEnd: addDays('2024-01-07', 7 * rng.int(0, 1)),
      generatedThrough: '0000-01-01',
    },
    employeeIds: [],
    contractorIds: [],
    payrollIds: [],
  };
  store.companies.set(company.uuid, company);
  store.companyOrder.push(company.uuid);
  store.addToken(company.accessToken, { kind: 'company', companyUuid: company.uuid });
  store.refreshTokens.set(company.refreshToken, {
    companyUuid: company.uuid,
    accessToken: company.accessToken,
  });
  addEmployees(sim, company, spec, domain);
  spec.contractors.forEach((c) => addContractor(sim, company, c, now, domain));
  // Payrolls are generated on the company's first use (see materializePayrolls).
  return company;
}

// Employees

type EmployeeKind = 'exempt' | 'nonexempt' | 'hourly';

function jobFor(rng: Prng, kind: EmployeeKind): Job {
  const title = rng.pick(JOB_TITLES[kind]);
  if (kind === 'hourly') return { uuid: rng.uuid(), title, rateCents: rng.int(64, 180) * 25, unit: 'Hour' };
  const thousands = kind === 'exempt' ? rng.int(60, 180) : rng.int(38, 68);
  return { uuid: rng.uuid(), title, rateCents: thousands * 100_000, unit: 'Year' };
}

function deductionsFor(rng: Prng, index: number): EmployeeDeduction[] {
  if (index % 3 === 0) return [{ uuid: rng.uuid(), name: '401(k)', amountType: 'percent', amount: '4' }];
  if (index % 5 === 1) return [{ uuid: rng.uuid(), name: 'Dental', amountType: 'fixed', amount: '12.50' }];
  return [];
}

function addEmployees(sim: Sim, company: Company, spec: CompanySpec, domain: string): void {
  const { rng } = sim.store;
  const mix = spec.employees;
  const kinds: EmployeeKind[] = [
    ...Array<EmployeeKind>(mix.salaried_exempt).fill('exempt'),
    ...Array<EmployeeKind>(mix.salaried_nonexempt).fill('nonexempt'),
    ...Array<EmployeeKind>(mix.hourly).fill('hourly'),
  ];
  kinds.forEach((kind, i) => {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const employee: Employee = {
      uuid: rng.uuid(),
      companyUuid: company.uuid,
      firstName: first,
      lastName: last,
      preferredFirstName: null,
      email: `${first}.${last}.${i + 1}@${domain}`.toLowerCase(),
      flsa: kind === 'exempt' ? 'Exempt' : 'Nonexempt',
      salaried: kind !== 'hourly',
      paymentMethod: i >= kinds.length - mix.check_count ? 'Check' : 'Direct Deposit',
      jobs: [jobFor(rng, kind)],
      deductions: deductionsFor(rng, i),
    };
    sim.store.employees.set(employee.uuid, employee);
    company.employeeIds.push(employee.uuid);
  });
}

// Contractors and their past payments

function addContractor(
  sim: Sim,
  company: Company,
  spec: ContractorSpec,
  now: Date,
  domain: string,
): Contractor {
  const { store } = sim;
  const { rng } = store;
  const today = dateIn(now, company.timeZone);
  const individual = spec.type === 'Individual';
  const first = individual ? (spec.first_name ?? rng.pick(FIRST_NAMES)) : null;
  const last = individual ? (spec.last_name ?? rng.pick(LAST_NAMES)) : null;
  const business = individual
    ? null
    : (spec.business_name ?? `${rng.pick(BUSINESS_WORDS)} ${rng.pick(BUSINESS_KINDS)} LLC`);
  const uuid = rng.uuid();
  const contractor: Contractor = {
    uuid,
    key: spec.key ?? null,
    companyUuid: company.uuid,
    type: spec.type,
    firstName: first,
    lastName: last,
    middleInitial: null,
    businessName: business,
    ein: individual ? null : `${rng.int(10, 99)}-${rng.int(1_000_000, 9_999_999)}`,
    hasSsn: individual,
    email: `${slugify(business ?? `${first}.${last}`)}@${domain.replace('.example', '-contractors.example')}`,
    wageType: spec.wage_type,
    hourlyRateCents: spec.wage_type === 'Hourly' ? rateCents(spec.hourly_rate, rng) : 0,
    paymentMethod: spec.payment_method,
    workState: company.location.state,
    address: {
      street_1: `${rng.int(100, 9999)} ${rng.pick(STREET_NAMES)}`,
      street_2: null,
      city: company.location.city,
      state: company.location.state,
      zip: company.location.zip,
    },
    department: null,
    fileNewHireReport: individual,
    revision: 1,
    version: versionOf(uuid, 1),
    startDate: addDays(today, -rng.int(120, 900)),
    endDate: null,
    endImmediate: false,
    dismissal: null,
    rehire: null,
    createdAt: now.getTime(),
  };
  if (spec.dismissed_days_ago !== undefined) {
    contractor.endDate = addDays(today, -spec.dismissed_days_ago);
    contractor.dismissal = {
      recordedAt: now.getTime() - (spec.dismissed_days_ago + 7) * 86_400_000,
      effectiveNotified: true,
    };
  }
  store.contractors.set(uuid, contractor);
  company.contractorIds.push(uuid);
  if (spec.payments === 'past') addPastPayments(sim, company, contractor, now);
  return contractor;
}

function rateCents(text: string | undefined, rng: Prng): Cents {
  if (text === undefined) return rng.int(40, 150) * 100;
  const [whole = '0', frac = ''] = text.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0') || '0');
}

/** Three monthly payments in the last quarter (before a dismissal, if any), already settled. */
function addPastPayments(sim: Sim, company: Company, contractor: Contractor, now: Date): void {
  const { rng } = sim.store;
  const today = dateIn(now, GUSTO_TIME_ZONE);
  const last = contractor.endDate && contractor.endDate < today ? contractor.endDate : today;
  for (const back of [14, 42, 70]) {
    const date = businessDayOnOrBefore(addDays(last, -back));
    const hourly = contractor.wageType === 'Hourly';
    const payment: ContractorPayment = {
      uuid: rng.uuid(),
      companyUuid: company.uuid,
      contractorUuid: contractor.uuid,
      groupUuid: null,
      date,
      debitDate: debitDateFor(company, contractor.paymentMethod, date),
      paymentMethod: contractor.paymentMethod,
      wageType: contractor.wageType,
      hourlyRate: contractor.hourlyRateCents,
      hours: hourly ? rng.int(8, 60) * 1000 : 0,
      wage: hourly ? 0 : rng.int(10, 100) * 5000,
      bonus: hourly && rng.chance(0.2) ? 25_000 : 0,
      reimbursement: rng.chance(0.3) ? rng.int(1, 20) * 500 : 0,
      status: 'Unfunded',
      fundedAt: null,
      createdAt: now.getTime() - (back + 3) * 86_400_000,
    };
    sim.store.payments.set(payment.uuid, payment);
    if (!settlePayment(sim.store, payment, now.getTime()) && payment.paymentMethod === 'Direct Deposit') {
      sim.store.pending.payments.add(payment.uuid);
    }
  }
}

// Generated companies

function sizeMix(rng: Prng): CompanySpec['employees'] {
  const roll = rng.next();
  const total = roll < 0.6 ? rng.int(3, 12) : roll < 0.92 ? rng.int(13, 40) : rng.int(41, 80);
  const exempt = Math.max(1, Math.round(total * 0.3));
  const nonexempt = Math.round(total * 0.15);
  return {
    salaried_exempt: exempt,
    salaried_nonexempt: nonexempt,
    hourly: Math.max(0, total - exempt - nonexempt),
    check_count: rng.int(0, Math.min(2, total - 1)),
  };
}

function generatedContractor(rng: Prng): ContractorSpec {
  const hourly = rng.chance(0.5);
  return {
    type: rng.chance(0.8) ? 'Individual' : 'Business',
    wage_type: hourly ? 'Hourly' : 'Fixed',
    payment_method: rng.chance(0.75) ? 'Direct Deposit' : 'Check',
    payments: rng.chance(0.8) ? 'past' : 'none',
  };
}

/** A plausible small business somewhere in the US. */
export function generateSpec(rng: Prng): CompanySpec {
  const place = rng.pick(PLACES);
  const entity = rng.pick(['LLC', 'C-Corporation', 'S-Corporation'] as const);
  const name =
    `${rng.pick(BUSINESS_WORDS)} ${rng.pick(BUSINESS_KINDS)} ${ENTITY_SUFFIX[entity] ?? ''}`.trim();
  return {
    name,
    entity_type: entity,
    location: {
      street_1: `${rng.int(100, 9999)} ${rng.pick(STREET_NAMES)}`,
      city: place.city,
      state: place.state,
      zip: place.zip,
    },
    time_zone: place.timeZone,
    pay_schedule: rng.chance(0.6) ? 'biweekly' : 'semimonthly',
    ach_speed_days: rng.chance(0.85) ? 2 : 4,
    employees: sizeMix(rng),
    contractors: Array.from({ length: rng.int(0, 4) }, () => generatedContractor(rng)),
    blockers: [],
  };
}
