#pragma once
// herald::store — placeholder; the store issue defines this header.
#include <herald/parser.hpp>
namespace herald::store {}
