#include "http_server.hpp"
