// Invoice fingerprints (fin_fingerprint.h, docs/finance.md §3).
#include "tidemark/fin_fingerprint.h"

#include <string>

#include "tidemark/bytes.h"
#include "tidemark/state_keys/finance.h"

namespace tidemark {
namespace {

bool IsOrgId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Hash256 HashLines(std::string_view domain, std::initializer_list<std::string_view> parts) {
  std::string msg(domain);
  for (std::string_view p : parts) {
    msg.push_back('\n');
    msg.append(p);
  }
  return Sha256(AsBytes(msg));
}

}  // namespace

Result<std::string> NormaliseInvoiceNumber(std::string_view number) {
  size_t b = 0, e = number.size();
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (b < e && space(number[b])) ++b;
  while (e > b && space(number[e - 1])) --e;
  std::string out;
  for (char c : number.substr(b, e - b)) {
    if (c == ' ' || c == '-' || c == '_' || c == '/' || c == '.') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
      return Status::Invalid(
          "invoice number: only letters, digits and \" -_/.\" are allowed (found byte 0x" +
          ToHex(AsBytes(std::string(1, c))) + ")");
    }
    out.push_back(c);
  }
  if (out.empty() || out.size() > 64) {
    return Status::Invalid("invoice number: 1 to 64 letters or digits once normalised");
  }
  return out;
}

bool IsIsoDate(std::string_view d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (d[i] < '0' || d[i] > '9') return false;
  }
  int y = std::stoi(std::string(d.substr(0, 4)));
  int m = std::stoi(std::string(d.substr(5, 2)));
  int day = std::stoi(std::string(d.substr(8, 2)));
  if (y < 1900 || m < 1 || m > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  int max = kDays[m - 1] + (m == 2 && leap ? 1 : 0);
  return day <= max;
}

int64_t IsoDateToDays(std::string_view d) {
  // Howard Hinnant's days_from_civil.
  int64_t y = std::stoi(std::string(d.substr(0, 4)));
  int64_t m = std::stoi(std::string(d.substr(5, 2)));
  int64_t day = std::stoi(std::string(d.substr(8, 2)));
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Result<InvoiceHashes> InvoiceFingerprint(const InvoiceFields& f) {
  const std::string creditor = Lower(f.creditor);
  const std::string debtor = Lower(f.debtor);
  if (!IsOrgId(creditor)) return Status::Invalid("creditor: not an organisation id");
  if (!IsOrgId(debtor)) return Status::Invalid("debtor: not an organisation id");
  TM_ASSIGN_OR_RETURN(std::string number, NormaliseInvoiceNumber(f.number));
  if (f.amount < 1 || f.amount > kMaxFinAmount) {
    return Status::Invalid("amount: 1 to 10^15 minor units");
  }
  if (!IsIsoDate(f.date)) return Status::Invalid("date: not a YYYY-MM-DD date");
  const std::string amount = std::to_string(f.amount);
  return InvoiceHashes{
      .fingerprint = HashLines(kFingerprintDomain, {creditor, debtor, number, amount, f.date}),
      .invoice_key = HashLines(kInvoiceKeyDomain, {creditor, debtor, number, f.date})};
}

}  // namespace tidemark

namespace tidemark::state_keys::fin {

std::string Attempt(std::string_view fp_hex, uint64_t height, uint32_t index) {
  std::string idx = std::to_string(index);
  idx.insert(0, idx.size() < 8 ? 8 - idx.size() : 0, '0');
  return Cat({kAttemptPrefix, fp_hex, " ", SeqPart(height), " ", idx});
}

}  // namespace tidemark::state_keys::fin
