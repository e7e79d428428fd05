// SPDX-License-Identifier: GPL-2.0-only
// `mprotect-spec --version`.
import { FAST_CHECK_VERSION, PROJECT_VERSION } from '../store/versions.js';

export const VERSION_STRING = `mprotect-spec ${PROJECT_VERSION} (fast-check ${FAST_CHECK_VERSION})`;
