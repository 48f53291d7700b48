/** client.contractors: reads, versioned update, delete, scheduled dismissal and rehire. */
import { collectPages, iteratePages, MAX_PAGE_SIZE } from '../pagination.js';
import {
  contractorGetQuerySchema,
  contractorListQuerySchema,
  contractorListSchema,
  contractorRehireSchema,
  contractorSchema,
  contractorTerminationSchema,
  contractorUpdateBodySchema,
  type Contractor,
  type ContractorGetQuery,
  type ContractorListQuery,
  type ContractorRehire,
  type ContractorTermination,
  type ContractorUpdateBody,
} from '../schemas/contractors.js';
import { assertIds, parseInput } from '../validation.js';
import { companyAuth, type ClientContext } from './context.js';

const PATHS = {
  list: '/v1/companies/{company_uuid}/contractors',
  one: '/v1/contractors/{contractor_uuid}',
  termination: '/v1/contractors/{contractor_uuid}/termination',
  rehire: '/v1/contractors/{contractor_uuid}/rehire',
} as const;

function listQuery(q: ContractorListQuery) {
  return {
    search_term: q.searchTerm,
    sort_by: q.sortBy,
    onboarded: q.onboarded,
    onboarded_active: q.onboardedActive,
    terminated: q.terminated,
    terminated_today: q.terminatedToday,
    include: q.include,
    page: q.page,
    per: q.per,
  };
}

export function contractorsApi({ transport }: ClientContext) {
  // Contractor paths carry no company id; the company still picks the token and the rate bucket.
  const one = (companyId: string, contractorId: string) => ({
    params: { contractor_uuid: contractorId },
    auth: companyAuth(companyId),
  });

  const listPage = (companyId: string, q: ContractorListQuery) =>
    transport.jsonWithHeaders(
      {
        method: 'GET',
        template: PATHS.list,
        params: { company_uuid: companyId },
        auth: companyAuth(companyId),
        query: listQuery(q),
      },
      contractorListSchema,
    );

  const api = {
    async get(companyId: string, contractorId: string, query: ContractorGetQuery = {}): Promise<Contractor> {
      assertIds('contractors.get', { companyId, contractorId });
      const q = parseInput(contractorGetQuerySchema, query, 'contractors.get');
      return transport.json(
        {
          method: 'GET',
          template: PATHS.one,
          ...one(companyId, contractorId),
          query: { include: q.include },
        },
        contractorSchema,
      );
    },

    async list(companyId: string, query: ContractorListQuery = {}): Promise<Contractor[]> {
      assertIds('contractors.list', { companyId });
      const q = parseInput(contractorListQuerySchema, query, 'contractors.list');
      return (await listPage(companyId, q)).data;
    },

    pages(
      companyId: string,
      query: Omit<ContractorListQuery, 'page'> = {},
    ): AsyncGenerator<Contractor[], void, undefined> {
      assertIds('contractors.pages', { companyId });
      const q = parseInput(contractorListQuerySchema, query, 'contractors.pages');
      return iteratePages(async (page, per) => {
        const { data, headers } = await listPage(companyId, { ...q, page, per });
        return { items: data, headers };
      }, q.per ?? MAX_PAGE_SIZE);
    },

    listAll(companyId: string, query: Omit<ContractorListQuery, 'page'> = {}): Promise<Contractor[]> {
      return collectPages(api.pages(companyId, query));
    },

    /** `version` must be the contractor's current one; a stale version gets 409 (refetch, retry). */
    async update(companyId: string, contractorId: string, body: ContractorUpdateBody): Promise<Contractor> {
      assertIds('contractors.update', { companyId, contractorId });
      const b = parseInput(contractorUpdateBodySchema, body, 'contractors.update');
      return transport.json(
        { method: 'PUT', template: PATHS.one, ...one(companyId, contractorId), body: b },
        contractorSchema,
      );
    },

    /** Only for contractors with no payments (422 otherwise). */
    async delete(companyId: string, contractorId: string): Promise<void> {
      assertIds('contractors.delete', { companyId, contractorId });
      await transport.empty({ method: 'DELETE', template: PATHS.one, ...one(companyId, contractorId) });
    },

    /** Dismissal on `endDate` (past or future). 422 if one is already pending. */
    async scheduleTermination(
      companyId: string,
      contractorId: string,
      input: ContractorTermination,
    ): Promise<void> {
      assertIds('contractors.scheduleTermination', { companyId, contractorId });
      const { endDate } = parseInput(contractorTerminationSchema, input, 'contractors.scheduleTermination');
      await transport.empty({
        method: 'POST',
        template: PATHS.termination,
        ...one(companyId, contractorId),
        body: { end_date: endDate },
      });
    },

    async cancelTermination(companyId: string, contractorId: string): Promise<void> {
      assertIds('contractors.cancelTermination', { companyId, contractorId });
      await transport.empty({
        method: 'DELETE',
        template: PATHS.termination,
        ...one(companyId, contractorId),
      });
    },

    /** Rehire on `startDate`. 422 if the contractor is active or a rehire is already pending. */
    async scheduleRehire(companyId: string, contractorId: string, input: ContractorRehire): Promise<void> {
      assertIds('contractors.scheduleRehire', { companyId, contractorId });
      const { startDate } = parseInput(contractorRehireSchema, input, 'contractors.scheduleRehire');
      await transport.empty({
        method: 'POST',
        template: PATHS.rehire,
        ...one(companyId, contractorId),
        body: { start_date: startDate },
      });
    },

    async cancelRehire(companyId: string, contractorId: string): Promise<void> {
      assertIds('contractors.cancelRehire', { companyId, contractorId });
      await transport.empty({ method: 'DELETE', template: PATHS.rehire, ...one(companyId, contractorId) });
    },
  };
  return api;
}

export type ContractorsApi = ReturnType<typeof contractorsApi>;
