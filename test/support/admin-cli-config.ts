// The app's config for the `sigra users` / `sigra audit` child-process tests (test/admin-cli.test.ts):
// what a host's sigra.config.ts exports, importing the sources directly.
import { admin } from '../../src/features/admin/index.ts'

export const features = [admin({ roles: { support: { rank: 50, permissions: ['users:read'] } } })]
