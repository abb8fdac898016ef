// main() of sandbox_attack_tests: runs the suite inside its own containment (see
// containment.h) so that a sandbox that lets an attack through cannot harm this machine.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>

#include "tests/sandbox/containment.h"

int main(int argc, char** argv) {
  if (auto status = autoif::attack::contain(argc, argv)) return *status;
  if (auto what = autoif::attack::describe(); !what.empty())
    std::fprintf(stderr, "attack suite containment: %s\n", what.c_str());
  return Catch::Session().run(argc, argv);
}
