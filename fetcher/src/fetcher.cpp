#include <herald/fetcher.hpp>
