// password.h — where the CLI gets a password: never from a plain command-line argument.
//
//   auto pw = ReadPassword(password_file, "Password for alice", /*confirm=*/true);
//
// Order: `--password-file FILE` (its first line; a trailing "\n" or "\r\n" is dropped), else the
// environment variable TIDEMARK_PASSWORD, else a no-echo prompt when stdin is a terminal (asked
// twice when `confirm`). Anything else is kFailedPrecondition saying how to give one. Empty
// passwords are refused.
// Thread safety: touches the terminal; call from the main thread.
#pragma once

#include <string>

#include "tidemark/status.h"

namespace tidemark::cli {

inline constexpr const char* kPasswordEnv = "TIDEMARK_PASSWORD";

Result<std::string> ReadPassword(const std::string& password_file, const std::string& prompt,
                                 bool confirm);

// Reads a small secret file (≤ 4 KiB): whole content with one trailing newline removed.
Result<std::string> ReadSecretFile(const std::string& path);

}  // namespace tidemark::cli
