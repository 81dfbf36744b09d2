// `tidemark`: the command-line client. Everything lives in tidemark_cli (cli/app.h).
#include <iostream>

#include "app.h"

int main(int argc, char** argv) { return tidemark::cli::Run(argc, argv, std::cout, std::cerr); }
