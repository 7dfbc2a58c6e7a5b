#pragma once
// Process, TempDir, wait_until: placeholder; the daemon work defines them.
