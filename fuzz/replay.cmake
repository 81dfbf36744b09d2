# Every fuzz target (fuzz/<name>_fuzz.cc) also builds in the ordinary test build, linked with
# fuzz/replay_main.cc instead of libFuzzer, as <name>_fuzz_replay; ctest runs each one for a few
# seconds over its seeds (fuzz/corpus/<name>/ and the test vectors of kind <name>) and
# deterministic mutations of them. Under the asan preset that is a sanitizer smoke test of every
# decoder on every `scripts/test.sh`; coverage-guided fuzzing stays with scripts/fuzz.sh (clang).
set(TIDEMARK_FUZZ_SEEDS ${CMAKE_BINARY_DIR}/fuzz-seeds)
add_test(NAME fuzz-seeds COMMAND tidemark-vectors --corpus ${TIDEMARK_FUZZ_SEEDS})
set_tests_properties(fuzz-seeds PROPERTIES FIXTURES_SETUP fuzz_seeds)

file(GLOB TIDEMARK_FUZZ_REPLAY_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/fuzz/*_fuzz.cc)
foreach(src ${TIDEMARK_FUZZ_REPLAY_SOURCES})
  get_filename_component(name ${src} NAME_WE)
  string(REGEX REPLACE "_fuzz$" "" kind ${name})
  add_executable(${name}_replay ${src} ${PROJECT_SOURCE_DIR}/fuzz/replay_main.cc)
  # tidemark_contracts_testing: the REST fuzz target's FakeLedger runs the test contract.
  target_link_libraries(${name}_replay PRIVATE tidemark_core tidemark_node tidemark_contracts_testing)
  add_test(NAME fuzz-replay:${kind}
           COMMAND ${name}_replay --seconds 4 --iterations 200000
                   ${PROJECT_SOURCE_DIR}/fuzz/corpus/${kind} ${TIDEMARK_FUZZ_SEEDS}/${kind}
           WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
  set_tests_properties(fuzz-replay:${kind} PROPERTIES FIXTURES_REQUIRED fuzz_seeds TIMEOUT 120)
endforeach()
