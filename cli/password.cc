#include "password.h"

#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>

namespace tidemark::cli {

namespace {

constexpr size_t kMaxSecretFile = 4096;

std::string StripNewline(std::string s) {
  if (!s.empty() && s.back() == '\n') s.pop_back();
  if (!s.empty() && s.back() == '\r') s.pop_back();
  return s;
}

// One line from stdin with echo off; restores the terminal whatever happens.
Result<std::string> PromptNoEcho(const std::string& prompt) {
  termios old_tio;
  if (::tcgetattr(STDIN_FILENO, &old_tio) != 0) {
    return Status::IoError("cannot read the terminal settings");
  }
  termios no_echo = old_tio;
  no_echo.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  no_echo.c_lflag |= ECHONL;
  std::cerr << prompt << ": " << std::flush;
  ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &no_echo);
  std::string line;
  bool got = static_cast<bool>(std::getline(std::cin, line));
  ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &old_tio);
  if (!got) return Status::FailedPrecondition("no password entered");
  return StripNewline(line + "\n");
}

}  // namespace

Result<std::string> ReadSecretFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::IoError("cannot open " + path);
  std::string text;
  text.resize(kMaxSecretFile + 1);
  f.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(f.gcount()));
  if (f.bad()) return Status::IoError("cannot read " + path);
  if (text.size() > kMaxSecretFile) {
    return Status::Invalid(path + " is larger than " + std::to_string(kMaxSecretFile) + " bytes");
  }
  return StripNewline(std::move(text));
}

Result<std::string> ReadPassword(const std::string& password_file, const std::string& prompt,
                                 bool confirm) {
  std::string pw;
  if (!password_file.empty()) {
    TM_ASSIGN_OR_RETURN(pw, ReadSecretFile(password_file));
  } else if (const char* env = std::getenv(kPasswordEnv); env != nullptr) {
    pw = env;
  } else if (::isatty(STDIN_FILENO)) {
    TM_ASSIGN_OR_RETURN(pw, PromptNoEcho(prompt));
    if (confirm) {
      TM_ASSIGN_OR_RETURN(std::string again, PromptNoEcho("Repeat to confirm"));
      if (again != pw) return Status::Invalid("the passwords do not match");
    }
  } else {
    return Status::FailedPrecondition(
        "no password: use --password-file FILE or set TIDEMARK_PASSWORD (stdin is not a "
        "terminal to prompt on)");
  }
  if (pw.empty()) return Status::Invalid("the password is empty");
  return pw;
}

}  // namespace tidemark::cli
