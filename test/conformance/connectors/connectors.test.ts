/** The connector conformance suite against every connector (see connector-conformance.ts). */
import { describeConnectorConformance } from './connector-conformance.js';
import { entraHarness } from './fixtures/entra.js';
import { googleHarness } from './fixtures/google.js';
import { ldapHarness } from './fixtures/ldap.js';
import { oktaHarness } from './fixtures/okta.js';

for (const harness of [ldapHarness, entraHarness, oktaHarness, googleHarness]) describeConnectorConformance(harness);
