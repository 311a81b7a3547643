// FUZZ_CHECK: an invariant of a harness. A violation prints the condition and aborts, which
// libFuzzer reports as a crash and saves the input. Header-only; used by fuzz/*_fuzz.cpp only.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                                        \
  do {                                                                                          \
    if (!(cond)) {                                                                              \
      std::fprintf(stderr, "fuzz invariant violated: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                             \
    }                                                                                           \
  } while (0)
