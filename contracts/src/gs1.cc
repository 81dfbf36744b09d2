#include "tidemark/contracts/gs1.h"

#include <algorithm>
#include <vector>

namespace tidemark::contracts {

namespace {

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// GS1 AI encodable character set 82 (printable ASCII without space, #, $, @, [, \, ], ^, `, {, |,
// }, ~).
bool IsCset82(char c) {
  if (c >= 'A' && c <= 'Z') return true;
  if (c >= 'a' && c <= 'z') return true;
  if (c >= '0' && c <= '9') return true;
  return std::string_view("!\"%&'()*+,-./:;<=>?_").find(c) != std::string_view::npos;
}

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> PercentDecode(std::string_view s, std::string_view what) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) {
      return Status::Invalid(std::string(what) + ": truncated %-escape");
    }
    int hi = HexVal(s[i + 1]), lo = HexVal(s[i + 2]);
    if (hi < 0 || lo < 0) return Status::Invalid(std::string(what) + ": bad %-escape");
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

// Checks an alphanumeric AI value (lot, serial): 1..20 characters of set 82.
Status CheckAlnum(const std::string& v, std::string_view what) {
  if (v.empty() || v.size() > 20) {
    return Status::Invalid(std::string(what) + ": must be 1 to 20 characters");
  }
  for (char c : v) {
    if (!IsCset82(c)) {
      return Status::Invalid(std::string(what) + ": character not allowed in a GS1 key");
    }
  }
  return Status::Ok();
}

// Percent-encodes for a Digital Link path segment (canonical form).
std::string DlEncode(std::string_view v) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (char c : v) {
    bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 std::string_view("-._!'()*+,;=:").find(c) != std::string_view::npos;
    if (plain) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[static_cast<uint8_t>(c) >> 4]);
      out.push_back(kHex[static_cast<uint8_t>(c) & 15]);
    }
  }
  return out;
}

// Percent-encodes for an EPC URN (TDS: ", %, &, /, <, >, ? are escaped).
std::string UrnEncode(std::string_view v) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (char c : v) {
    if (std::string_view("\"%&/<>?").find(c) != std::string_view::npos) {
      out.push_back('%');
      out.push_back(kHex[static_cast<uint8_t>(c) >> 4]);
      out.push_back(kHex[static_cast<uint8_t>(c) & 15]);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t p = s.find(sep, start);
    out.push_back(s.substr(start, p == std::string_view::npos ? p : p - start));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return out;
}

void Finish(Gs1Id& id) {
  switch (id.kind) {
    case IdKind::kSgtin:
      id.canonical = "/01/" + id.gtin + "/21/" + DlEncode(id.serial);
      break;
    case IdKind::kLgtin:
      id.canonical = LotKey(id.gtin, id.lot);
      break;
    case IdKind::kGtin:
      id.canonical = "/01/" + id.gtin;
      break;
    case IdKind::kSscc:
      id.canonical = "/00/" + id.sscc;
      break;
    case IdKind::kSgln:
      id.canonical = "/414/" + id.gln + (id.gln_ext.empty() ? "" : "/254/" + DlEncode(id.gln_ext));
      break;
    case IdKind::kPgln:
      id.canonical = "/417/" + id.gln;
      break;
    case IdKind::kOther:
      break;
  }
}

// "cp" and "ref" of a URN: digits, cp 6..12 long, cp + ref == total digits.
Status CheckUrnDigits(std::string_view cp, std::string_view ref, size_t total,
                      std::string_view what) {
  if (!AllDigits(cp) || cp.size() < 6 || cp.size() > 12) {
    return Status::Invalid(std::string(what) + ": company prefix must be 6 to 12 digits");
  }
  if ((!ref.empty() && !AllDigits(ref)) || cp.size() + ref.size() != total) {
    return Status::Invalid(std::string(what) + ": company prefix and reference must be " +
                           std::to_string(total) + " digits together");
  }
  return Status::Ok();
}

Result<Gs1Id> ParseUrn(std::string_view uri) {
  Gs1Id id;
  auto body_of = [&](std::string_view prefix) { return uri.substr(prefix.size()); };
  if (StartsWith(uri, "urn:epc:id:sgtin:") || StartsWith(uri, "urn:epc:class:lgtin:") ||
      StartsWith(uri, "urn:epc:idpat:sgtin:")) {
    bool sgtin = StartsWith(uri, "urn:epc:id:sgtin:");
    bool lgtin = StartsWith(uri, "urn:epc:class:lgtin:");
    std::string_view what = sgtin ? "SGTIN" : lgtin ? "LGTIN" : "SGTIN pattern";
    auto parts = Split(body_of(sgtin   ? "urn:epc:id:sgtin:"
                               : lgtin ? "urn:epc:class:lgtin:"
                                       : "urn:epc:idpat:sgtin:"),
                       '.');
    if (parts.size() != 3) return Status::Invalid(std::string(what) + ": expected cp.item.serial");
    TM_RETURN_IF_ERROR(CheckUrnDigits(parts[0], parts[1], 13, what));
    if (parts[1].empty()) return Status::Invalid(std::string(what) + ": missing indicator digit");
    std::string body =
        std::string(1, parts[1][0]) + std::string(parts[0]) + std::string(parts[1].substr(1));
    id.gtin = body + Gs1CheckDigit(body);
    if (sgtin || lgtin) {
      TM_ASSIGN_OR_RETURN(std::string v, PercentDecode(parts[2], what));
      TM_RETURN_IF_ERROR(CheckAlnum(v, sgtin ? "serial" : "lot"));
      (sgtin ? id.serial : id.lot) = v;
      id.kind = sgtin ? IdKind::kSgtin : IdKind::kLgtin;
    } else {
      if (parts[2] != "*") return Status::Invalid("SGTIN pattern: only cp.item.* is supported");
      id.kind = IdKind::kGtin;
    }
  } else if (StartsWith(uri, "urn:epc:id:sscc:")) {
    auto parts = Split(body_of("urn:epc:id:sscc:"), '.');
    if (parts.size() != 2) return Status::Invalid("SSCC: expected cp.serialref");
    TM_RETURN_IF_ERROR(CheckUrnDigits(parts[0], parts[1], 17, "SSCC"));
    std::string body =
        std::string(1, parts[1][0]) + std::string(parts[0]) + std::string(parts[1].substr(1));
    id.sscc = body + Gs1CheckDigit(body);
    id.kind = IdKind::kSscc;
  } else if (StartsWith(uri, "urn:epc:id:sgln:")) {
    auto parts = Split(body_of("urn:epc:id:sgln:"), '.');
    if (parts.size() != 3) return Status::Invalid("SGLN: expected cp.location.extension");
    TM_RETURN_IF_ERROR(CheckUrnDigits(parts[0], parts[1], 12, "SGLN"));
    std::string body = std::string(parts[0]) + std::string(parts[1]);
    id.gln = body + Gs1CheckDigit(body);
    TM_ASSIGN_OR_RETURN(std::string ext, PercentDecode(parts[2], "SGLN extension"));
    if (ext != "0") {
      TM_RETURN_IF_ERROR(CheckAlnum(ext, "SGLN extension"));
      id.gln_ext = ext;
    }
    id.kind = IdKind::kSgln;
  } else if (StartsWith(uri, "urn:epc:id:pgln:")) {
    auto parts = Split(body_of("urn:epc:id:pgln:"), '.');
    if (parts.size() != 2) return Status::Invalid("PGLN: expected cp.partyref");
    TM_RETURN_IF_ERROR(CheckUrnDigits(parts[0], parts[1], 12, "PGLN"));
    std::string body = std::string(parts[0]) + std::string(parts[1]);
    id.gln = body + Gs1CheckDigit(body);
    id.kind = IdKind::kPgln;
  } else {
    id.kind = IdKind::kOther;
    id.canonical = std::string(uri);
    return id;
  }
  Finish(id);
  return id;
}

Result<Gs1Id> ParseDigitalLinkPath(std::string_view path) {
  size_t q = path.find_first_of("?#");
  if (q != std::string_view::npos) path = path.substr(0, q);
  auto segs = Split(path, '/');
  // Find the primary key; anything before it is the resolver's path prefix.
  size_t i = 0;
  while (i < segs.size() && segs[i] != "01" && segs[i] != "00" && segs[i] != "414" &&
         segs[i] != "417")
    ++i;
  Gs1Id id;
  if (i + 1 >= segs.size()) {
    id.canonical = "";
    return Status::Invalid("Digital Link: no GS1 primary key (01, 00, 414 or 417) in the path");
  }
  std::string_view ai = segs[i];
  std::string_view key = segs[i + 1];
  std::vector<std::pair<std::string_view, std::string_view>> quals;
  for (size_t j = i + 2; j < segs.size(); j += 2) {
    if (segs[j].empty() && j + 1 == segs.size()) break;  // trailing slash
    if (j + 1 >= segs.size())
      return Status::Invalid("Digital Link: AI " + std::string(segs[j]) + " has no value");
    quals.emplace_back(segs[j], segs[j + 1]);
  }
  if (ai == "01") {
    TM_ASSIGN_OR_RETURN(id.gtin, NormaliseGtin(key));
    std::string_view last = "";
    for (const auto& [q_ai, q_val] : quals) {
      TM_ASSIGN_OR_RETURN(std::string v, PercentDecode(q_val, q_ai));
      if (q_ai == "10" && last.empty()) {
        TM_RETURN_IF_ERROR(CheckAlnum(v, "lot"));
        id.lot = v;
      } else if (q_ai == "21" && (last.empty() || last == "10")) {
        TM_RETURN_IF_ERROR(CheckAlnum(v, "serial"));
        id.serial = v;
      } else if (q_ai == "22" && last.empty()) {
        // consumer product variant: accepted, not part of the identity
      } else {
        return Status::Invalid("Digital Link: unexpected key qualifier " + std::string(q_ai));
      }
      last = q_ai;
    }
    id.kind = !id.serial.empty() ? IdKind::kSgtin
              : !id.lot.empty()  ? IdKind::kLgtin
                                 : IdKind::kGtin;
  } else if (ai == "00") {
    TM_RETURN_IF_ERROR(CheckGs1Key(key, "SSCC"));
    if (key.size() != 18) return Status::Invalid("SSCC: must be 18 digits");
    if (!quals.empty()) return Status::Invalid("Digital Link: SSCC takes no qualifier");
    id.sscc = std::string(key);
    id.kind = IdKind::kSscc;
  } else if (ai == "417") {
    TM_RETURN_IF_ERROR(CheckGs1Key(key, "PGLN"));
    if (key.size() != 13) return Status::Invalid("PGLN: must be 13 digits");
    if (!quals.empty()) return Status::Invalid("Digital Link: a PGLN takes no qualifier");
    id.gln = std::string(key);
    id.kind = IdKind::kPgln;
  } else {
    TM_RETURN_IF_ERROR(CheckGs1Key(key, "GLN"));
    if (key.size() != 13) return Status::Invalid("GLN: must be 13 digits");
    id.gln = std::string(key);
    for (const auto& [q_ai, q_val] : quals) {
      if (q_ai != "254" || !id.gln_ext.empty()) {
        return Status::Invalid("Digital Link: unexpected GLN qualifier " + std::string(q_ai));
      }
      TM_ASSIGN_OR_RETURN(id.gln_ext, PercentDecode(q_val, "GLN extension"));
      TM_RETURN_IF_ERROR(CheckAlnum(id.gln_ext, "GLN extension"));
    }
    id.kind = IdKind::kSgln;
  }
  Finish(id);
  return id;
}

}  // namespace

char Gs1CheckDigit(std::string_view body) {
  int sum = 0;
  for (size_t i = 0; i < body.size(); ++i) {
    int d = body[body.size() - 1 - i] - '0';
    sum += (i % 2 == 0) ? 3 * d : d;
  }
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

Status CheckGs1Key(std::string_view key, std::string_view what) {
  if (!AllDigits(key)) return Status::Invalid(std::string(what) + " must be digits only");
  if (key.size() < 2) return Status::Invalid(std::string(what) + " is too short");
  if (Gs1CheckDigit(key.substr(0, key.size() - 1)) != key.back()) {
    return Status::Invalid(std::string(what) + " check digit is wrong");
  }
  return Status::Ok();
}

Result<std::string> NormaliseGtin(std::string_view gtin) {
  if (!AllDigits(gtin)) return Status::Invalid("GTIN must be digits only");
  if (gtin.size() != 8 && gtin.size() != 12 && gtin.size() != 13 && gtin.size() != 14) {
    return Status::Invalid("GTIN must have 8, 12, 13 or 14 digits");
  }
  TM_RETURN_IF_ERROR(CheckGs1Key(gtin, "GTIN"));
  return std::string(14 - gtin.size(), '0') + std::string(gtin);
}

std::string Gs1Id::LotId() const {
  if (lot.empty() || gtin.empty()) return "";
  return LotKey(gtin, lot);
}

std::string LotKey(std::string_view gtin14, std::string_view lot) {
  return "/01/" + std::string(gtin14) + "/10/" + DlEncode(lot);
}

Result<Gs1Id> ParseIdentifier(std::string_view uri) {
  if (uri.empty()) return Status::Invalid("identifier is empty");
  if (StartsWith(uri, "urn:")) return ParseUrn(uri);
  if (StartsWith(uri, "/")) return ParseDigitalLinkPath(uri);
  for (std::string_view scheme : {"https://", "http://"}) {
    if (!StartsWith(uri, scheme)) continue;
    std::string_view rest = uri.substr(scheme.size());
    size_t slash = rest.find('/');
    std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
    bool gs1_path = false;
    for (std::string_view p : Split(path, '/'))
      gs1_path |= (p == "01" || p == "00" || p == "414" || p == "417");
    if (!gs1_path) break;  // an ordinary URL, not a Digital Link
    return ParseDigitalLinkPath(path);
  }
  Gs1Id id;
  id.canonical = std::string(uri);
  return id;
}

Result<std::string> CanonicalId(std::string_view uri) {
  TM_ASSIGN_OR_RETURN(Gs1Id id, ParseIdentifier(uri));
  return id.canonical;
}

namespace {

// A bare 13-digit GLN (no scheme, no slash) as the Digital Link path under `ai`.
std::string BareGln(std::string_view id, std::string_view ai) {
  if (id.size() == 13 && AllDigits(id)) return "/" + std::string(ai) + "/" + std::string(id);
  return std::string(id);
}

}  // namespace

Result<std::string> CanonicalLocationId(std::string_view raw) {
  TM_ASSIGN_OR_RETURN(Gs1Id id, ParseIdentifier(BareGln(raw, "414")));
  if (id.kind == IdKind::kOther || id.kind == IdKind::kSgln) return id.canonical;
  return Status::Invalid("location " + std::string(raw) + ": not a GLN (SGLN, /414/)");
}

Result<std::string> CanonicalPartyId(std::string_view raw) {
  TM_ASSIGN_OR_RETURN(Gs1Id id, ParseIdentifier(BareGln(raw, "417")));
  if (id.kind == IdKind::kOther || id.kind == IdKind::kPgln) return id.canonical;
  if (id.kind == IdKind::kSgln && id.gln_ext.empty()) return "/417/" + id.gln;
  if (id.kind == IdKind::kSgln) {
    return Status::Invalid("party " + std::string(raw) +
                           ": a party is a GLN without an extension (PGLN, /417/)");
  }
  return Status::Invalid("party " + std::string(raw) + ": not a party GLN (PGLN, /417/)");
}

Result<std::string> ToEpcUrn(const Gs1Id& id, int cpl) {
  if (cpl < 6 || cpl > 12) return Status::Invalid("company prefix length must be 6 to 12");
  size_t n = static_cast<size_t>(cpl);
  switch (id.kind) {
    case IdKind::kSgtin:
    case IdKind::kLgtin:
    case IdKind::kGtin: {
      std::string cp = id.gtin.substr(1, n);
      std::string ref = id.gtin.substr(0, 1) + id.gtin.substr(1 + n, 12 - n);
      if (id.kind == IdKind::kSgtin)
        return "urn:epc:id:sgtin:" + cp + "." + ref + "." + UrnEncode(id.serial);
      if (id.kind == IdKind::kLgtin)
        return "urn:epc:class:lgtin:" + cp + "." + ref + "." + UrnEncode(id.lot);
      return "urn:epc:idpat:sgtin:" + cp + "." + ref + ".*";
    }
    case IdKind::kSscc: {
      std::string cp = id.sscc.substr(1, n);
      std::string ref = id.sscc.substr(0, 1) + id.sscc.substr(1 + n, 16 - n);
      return "urn:epc:id:sscc:" + cp + "." + ref;
    }
    case IdKind::kSgln: {
      std::string cp = id.gln.substr(0, n);
      std::string loc = id.gln.substr(n, 12 - n);
      return "urn:epc:id:sgln:" + cp + "." + loc + "." +
             (id.gln_ext.empty() ? "0" : UrnEncode(id.gln_ext));
    }
    case IdKind::kPgln: {
      std::string cp = id.gln.substr(0, n);
      return "urn:epc:id:pgln:" + cp + "." + id.gln.substr(n, 12 - n);
    }
    case IdKind::kOther:
      break;
  }
  return Status::Invalid("not a GS1 key with an EPC URN form: " + id.canonical);
}

std::string ToDigitalLink(const Gs1Id& id, std::string_view domain) {
  if (id.kind == IdKind::kOther) return id.canonical;
  if (id.kind == IdKind::kSgtin && !id.lot.empty()) {
    return std::string(domain) + "/01/" + id.gtin + "/10/" + DlEncode(id.lot) + "/21/" +
           DlEncode(id.serial);
  }
  return std::string(domain) + id.canonical;
}

}  // namespace tidemark::contracts
