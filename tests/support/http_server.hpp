#pragma once
// TestHttpServer: placeholder; the fetcher work defines it.
