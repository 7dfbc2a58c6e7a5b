#pragma once
// herald::fetcher — placeholder; the fetcher issue defines this header.
namespace herald::fetcher {}
