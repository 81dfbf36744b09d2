# tidemark_test_dir(<libs>...): every `*_test.cc` in the calling folder becomes one Catch2 (v2)
# executable named after the file, linked with the shared Catch main and <libs>, and registered
# with ctest (one ctest entry per TEST_CASE). Tests find shared data through
# TIDEMARK_SOURCE_DIR (the repo) and TIDEMARK_SHARED_DIR (../shared, beside the repo).
function(tidemark_test_dir)
  file(GLOB test_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cc)
  foreach(src ${test_sources})
    get_filename_component(name ${src} NAME_WE)
    add_executable(${name} ${src})
    target_link_libraries(${name} PRIVATE tidemark_catch_main ${ARGN})
    catch_discover_tests(${name} PROPERTIES TIMEOUT 600)
  endforeach()
endfunction()
