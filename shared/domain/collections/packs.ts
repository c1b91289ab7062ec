/**
 * The policy packs shipped with the project, validated by the zod schema when first asked for.
 * A deployment names one with the CDK context `collectionsPolicyPack` (COLLECTIONS_POLICY_PACK).
 */
import { NotFoundError } from '../errors';
import { parsePolicyPack, type PolicyPack } from './policy';
import caSb998Water from './packs/us-ca-sb998-water.json';
import pa52Ch56 from './packs/us-pa-52-ch56.json';
import txElectric from './packs/us-tx-16tac-25.29-electric.json';
import txWater from './packs/us-tx-water.json';

const SHIPPED: Readonly<Record<string, unknown>> = {
  'us-pa-52-ch56': pa52Ch56,
  'us-ca-sb998-water': caSb998Water,
  'us-tx-16tac-25.29-electric': txElectric,
  'us-tx-water': txWater,
};

export const SHIPPED_PACK_IDS = Object.keys(SHIPPED);

export class PolicyPackNotFound extends NotFoundError {
  override name = 'PolicyPackNotFound';
}

const parsed = new Map<string, PolicyPack>();

/** A shipped pack by id, checked once (InvalidPolicyPack when the file is wrong, PolicyPackNotFound when unknown). */
export function policyPack(id: string): PolicyPack {
  let pack = parsed.get(id);
  if (!pack) {
    const json = SHIPPED[id];
    if (json === undefined) throw new PolicyPackNotFound(`no policy pack ${id}; shipped: ${SHIPPED_PACK_IDS.join(', ')}`);
    pack = parsePolicyPack(json);
    if (pack.id !== id) throw new PolicyPackNotFound(`the file of policy pack ${id} declares id ${pack.id}`);
    parsed.set(id, pack);
  }
  return pack;
}
