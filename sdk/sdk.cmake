# Included by sdk/CMakeLists.txt. The `tidemark` CLI: every .cc under sdk/cli/ except main.cc is
# the tidemark_cli library (so tests can drive commands in-process); main.cc is the thin binary.
# tidemark_sdk (the REST client) will be declared here too when it exists.
file(GLOB_RECURSE TIDEMARK_CLI_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/cli/*.cc)
list(REMOVE_ITEM TIDEMARK_CLI_SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/cli/main.cc)
add_library(tidemark_cli STATIC ${TIDEMARK_CLI_SOURCES})
target_include_directories(tidemark_cli PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/cli)
# The CLI is a top-level binary: it may use the contracts' genesis format and the REST client.
target_link_libraries(tidemark_cli PUBLIC tidemark_core tidemark_contracts tidemark_client CLI11::CLI11)

add_executable(tidemark ${CMAKE_CURRENT_SOURCE_DIR}/cli/main.cc)
target_link_libraries(tidemark PRIVATE tidemark_cli)
