// tests/c_abi/strict_header_cxx.cpp - crm.h (and its use in
// strict_header.c) compiled as strict C++ too, for C++ hosts that want only
// the C interface: -std=c++11 -pedantic -Werror with old-style casts and
// 0-as-NULL reported. Building this object is the test.
#include "strict_header.c"
