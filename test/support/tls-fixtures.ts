import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Self-signed certificate for 127.0.0.1 and localhost; test/fixtures/tls/README.md records how it was made. */
export const TEST_CERTIFICATE_FILE = fileURLToPath(new URL('../fixtures/tls/backend.crt', import.meta.url));
export const TEST_KEY_FILE = fileURLToPath(new URL('../fixtures/tls/backend.key', import.meta.url));

export const testCertificate = () => ({ cert: readFileSync(TEST_CERTIFICATE_FILE), key: readFileSync(TEST_KEY_FILE) });
