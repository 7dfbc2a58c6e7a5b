#include <herald/store.hpp>
