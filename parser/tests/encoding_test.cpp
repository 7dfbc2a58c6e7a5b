#include <gtest/gtest.h>

#include <herald/parser.hpp>

#include "text.hpp"
