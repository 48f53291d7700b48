import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes every process sets, so runs can be listed and filtered in the Web UI and
 * through visibility queries. The dev server registers exactly these (see scripts/temporal-servers.ts).
 */
export const CompanyId = defineSearchAttributeKey('CompanyId', SearchAttributeType.KEYWORD);
export const ContractorId = defineSearchAttributeKey('ContractorId', SearchAttributeType.KEYWORD);
export const Stage = defineSearchAttributeKey('Stage', SearchAttributeType.KEYWORD);
export const CheckDate = defineSearchAttributeKey('CheckDate', SearchAttributeType.DATETIME);
export const Deadline = defineSearchAttributeKey('Deadline', SearchAttributeType.DATETIME);
export const EffectiveDate = defineSearchAttributeKey('EffectiveDate', SearchAttributeType.DATETIME);
/**
 * Gusto ids a contractor-payment run is about (its payment; a group and its payments), so a Gusto
 * webhook, which carries those ids but not our business key, finds its run with one point lookup.
 */
export const GustoIds = defineSearchAttributeKey('GustoIds', SearchAttributeType.KEYWORD_LIST);

export const ALL_SEARCH_ATTRIBUTES = [
  CompanyId,
  ContractorId,
  Stage,
  CheckDate,
  Deadline,
  EffectiveDate,
  GustoIds,
];
