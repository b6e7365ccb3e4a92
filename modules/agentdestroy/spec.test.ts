import { specContract, twoPersonContract } from '../../test/helpers/modules/firewall/response-contract.js';
import { agentdestroyModule } from './spec.js';

const spec = agentdestroyModule;

specContract(spec);
twoPersonContract(spec, { dryrun: true });
