#include "tidemark/contracts/epcis.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "tidemark/contracts/gs1.h"

namespace tidemark::contracts {

namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 5> kEventTypes = {"ObjectEvent", "AggregationEvent",
                                                         "TransformationEvent", "TransactionEvent",
                                                         "AssociationEvent"};

const std::set<std::string, std::less<>>& KnownFields() {
  static const std::set<std::string, std::less<>> k = {"type",
                                                       "eventID",
                                                       "eventTime",
                                                       "eventTimeZoneOffset",
                                                       "recordTime",
                                                       "action",
                                                       "bizStep",
                                                       "disposition",
                                                       "readPoint",
                                                       "bizLocation",
                                                       "bizTransactionList",
                                                       "sourceList",
                                                       "destinationList",
                                                       "ilmd",
                                                       "sensorElementList",
                                                       "persistentDisposition",
                                                       "errorDeclaration",
                                                       "certificationInfo",
                                                       "epcList",
                                                       "quantityList",
                                                       "parentID",
                                                       "childEPCs",
                                                       "childQuantityList",
                                                       "inputEPCList",
                                                       "outputEPCList",
                                                       "inputQuantityList",
                                                       "outputQuantityList",
                                                       "transformationID",
                                                       "@context",
                                                       "@type",
                                                       "id"};
  return k;
}

// ---- JSON -> Value, decimals as strings ------------------------------------------------------

Status JsonToValue(const json& j, Value* out, size_t depth, const std::string& path) {
  if (depth > Value::kMaxDepth) return Status::Invalid(path + ": nested too deeply");
  switch (j.type()) {
    case json::value_t::number_float: {
      double d = j.get<double>();
      if (d != d || d - d != 0) return Status::Invalid(path + ": not a finite number");
      *out = Value(json(d).dump());
      return Status::Ok();
    }
    case json::value_t::array: {
      Value::List l;
      for (size_t i = 0; i < j.size(); ++i) {
        Value e;
        TM_RETURN_IF_ERROR(JsonToValue(j[i], &e, depth + 1, path + "[" + std::to_string(i) + "]"));
        l.push_back(std::move(e));
      }
      *out = Value(std::move(l));
      return Status::Ok();
    }
    case json::value_t::object: {
      Value::Map m;
      for (const auto& [k, v] : j.items()) {
        Value e;
        TM_RETURN_IF_ERROR(JsonToValue(v, &e, depth + 1, path + "." + k));
        m.emplace(k, std::move(e));
      }
      *out = Value(std::move(m));
      return Status::Ok();
    }
    default: {
      auto v = Value::FromJson(j);
      if (!v.ok()) return v.status().WithContext(path);
      *out = std::move(*v);
      return Status::Ok();
    }
  }
}

// Builds a Value straight from JSON text, keeping each decimal's text.
class ValueSax {
 public:
  using number_integer_t = json::number_integer_t;
  using number_unsigned_t = json::number_unsigned_t;
  using number_float_t = json::number_float_t;
  using string_t = json::string_t;
  using binary_t = json::binary_t;

  bool null() { return Add(Value()); }
  bool boolean(bool b) { return Add(Value(b)); }
  bool number_integer(number_integer_t v) { return Add(Value(static_cast<int64_t>(v))); }
  bool number_unsigned(number_unsigned_t v) {
    if (v > static_cast<uint64_t>(INT64_MAX)) return Fail("integer out of range");
    return Add(Value(static_cast<int64_t>(v)));
  }
  bool number_float(number_float_t, const string_t& s) { return Add(Value(s)); }
  bool string(string_t& s) {
    if (!IsValidUtf8(s)) return Fail("string is not valid UTF-8");
    return Add(Value(s));
  }
  bool binary(binary_t&) { return Fail("binary values are not JSON"); }
  bool start_object(std::size_t) { return Push(Value(Value::Map{})); }
  bool key(string_t& k) {
    keys_.back() = k;
    return true;
  }
  bool end_object() { return Pop(); }
  bool start_array(std::size_t) { return Push(Value(Value::List{})); }
  bool end_array() { return Pop(); }
  bool parse_error(std::size_t pos, const std::string&, const nlohmann::detail::exception&) {
    return Fail("malformed JSON at byte " + std::to_string(pos));
  }

  Status status() const { return status_; }
  Value Take() { return std::move(root_); }

 private:
  bool Fail(std::string m) {
    if (status_.ok()) status_ = Status::Invalid(std::move(m));
    return false;
  }
  bool Push(Value v) {
    if (stack_.size() >= Value::kMaxDepth) return Fail("JSON nested too deeply");
    stack_.push_back(std::move(v));
    keys_.emplace_back();
    return true;
  }
  bool Pop() {
    Value v = std::move(stack_.back());
    stack_.pop_back();
    keys_.pop_back();
    return Add(std::move(v));
  }
  bool Add(Value v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return true;
    }
    Value& top = stack_.back();
    if (top.is_list()) {
      top.as_list().push_back(std::move(v));
    } else {
      top.as_map()[keys_.back()] = std::move(v);
    }
    return true;
  }

  std::vector<Value> stack_;
  std::vector<std::string> keys_;
  Value root_;
  Status status_;
};

// ---- validation helpers ------------------------------------------------------------------------

Status Err(const std::string& path, const std::string& msg) {
  return Status::Invalid(path + ": " + msg);
}

bool IsDecimal(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  size_t digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    size_t exp = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++exp;
    if (exp == 0) return false;
  }
  return i == s.size();
}

Status NeedString(const Value* v, const std::string& path) {
  if (v == nullptr) return Err(path, "required");
  if (!v->is_string() || v->as_string().empty()) return Err(path, "must be a non-empty string");
  return Status::Ok();
}

Status CheckId(const Value& v, const std::string& path) {
  TM_RETURN_IF_ERROR(NeedString(&v, path));
  for (char c : v.as_string()) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return Err(path, "identifiers cannot contain spaces or control characters");
    }
  }
  auto id = ParseIdentifier(v.as_string());
  if (!id.ok()) return Err(path, id.status().message());
  return Status::Ok();
}

Status CheckIdList(const Value& ev, const char* field, const std::string& path) {
  const Value* v = ev.Find(field);
  if (v == nullptr) return Status::Ok();
  std::string at = path + "." + field;
  if (!v->is_list()) return Err(at, "must be a list of identifiers");
  for (size_t i = 0; i < v->as_list().size(); ++i) {
    TM_RETURN_IF_ERROR(CheckId(v->as_list()[i], at + "[" + std::to_string(i) + "]"));
  }
  return Status::Ok();
}

Status CheckNumber(const Value* v, const std::string& path) {
  if (v == nullptr) return Status::Ok();
  if (v->is_int()) return Status::Ok();
  if (v->is_string() && IsDecimal(v->as_string())) return Status::Ok();
  return Err(path, "must be a number");
}

Status CheckQuantityList(const Value& ev, const char* field, const std::string& path) {
  const Value* v = ev.Find(field);
  if (v == nullptr) return Status::Ok();
  std::string at = path + "." + field;
  if (!v->is_list()) return Err(at, "must be a list");
  for (size_t i = 0; i < v->as_list().size(); ++i) {
    const Value& q = v->as_list()[i];
    std::string qa = at + "[" + std::to_string(i) + "]";
    if (!q.is_map()) return Err(qa, "must be an object");
    const Value* cls = q.Find("epcClass");
    if (cls == nullptr) return Err(qa + ".epcClass", "required");
    TM_RETURN_IF_ERROR(CheckId(*cls, qa + ".epcClass"));
    TM_RETURN_IF_ERROR(CheckNumber(q.Find("quantity"), qa + ".quantity"));
    if (const Value* uom = q.Find("uom"); uom != nullptr && !uom->is_string()) {
      return Err(qa + ".uom", "must be a string");
    }
  }
  return Status::Ok();
}

Status CheckTime(const Value* v, const std::string& path, bool required) {
  if (v == nullptr) return required ? Err(path, "required") : Status::Ok();
  if (!v->is_string()) return Err(path, "must be a date-time string");
  auto t = ParseEpcisTime(v->as_string());
  if (!t.ok()) return Err(path, t.status().message());
  return Status::Ok();
}

Status CheckOffset(const Value* v, const std::string& path) {
  if (v == nullptr) return Err(path, "required");
  if (!v->is_string()) return Err(path, "must be a string like +02:00");
  const std::string& s = v->as_string();
  bool ok = s.size() == 6 && (s[0] == '+' || s[0] == '-') && isdigit(s[1]) && isdigit(s[2]) &&
            s[3] == ':' && isdigit(s[4]) && isdigit(s[5]) &&
            (s[1] - '0') * 10 + (s[2] - '0') <= 14 && (s[4] - '0') * 10 + (s[5] - '0') < 60;
  return ok ? Status::Ok() : Err(path, "must look like +02:00");
}

Status CheckLocation(const Value& ev, const char* field, const std::string& path) {
  const Value* v = ev.Find(field);
  if (v == nullptr) return Status::Ok();
  std::string at = path + "." + field;
  if (!v->is_map()) return Err(at, "must be an object with an id");
  return CheckId(v->Find("id") ? *v->Find("id") : Value(), at + ".id");
}

// A list of objects, each with a required string `key` and an optional/required string "type".
Status CheckTypedList(const Value& ev, const char* field, const char* key, bool type_required,
                      const std::string& path) {
  const Value* v = ev.Find(field);
  if (v == nullptr) return Status::Ok();
  std::string at = path + "." + field;
  if (!v->is_list()) return Err(at, "must be a list");
  for (size_t i = 0; i < v->as_list().size(); ++i) {
    const Value& e = v->as_list()[i];
    std::string ea = at + "[" + std::to_string(i) + "]";
    if (!e.is_map()) return Err(ea, "must be an object");
    TM_RETURN_IF_ERROR(NeedString(e.Find(key), ea + "." + key));
    const Value* type = e.Find("type");
    if (type_required || type != nullptr) TM_RETURN_IF_ERROR(NeedString(type, ea + ".type"));
  }
  return Status::Ok();
}

Status CheckSensors(const Value& ev, const std::string& path) {
  const Value* v = ev.Find("sensorElementList");
  if (v == nullptr) return Status::Ok();
  std::string at = path + ".sensorElementList";
  if (!v->is_list()) return Err(at, "must be a list");
  for (size_t i = 0; i < v->as_list().size(); ++i) {
    const Value& s = v->as_list()[i];
    std::string sa = at + "[" + std::to_string(i) + "]";
    if (!s.is_map()) return Err(sa, "must be an object");
    if (const Value* md = s.Find("sensorMetadata"); md != nullptr && !md->is_map()) {
      return Err(sa + ".sensorMetadata", "must be an object");
    }
    const Value* reports = s.Find("sensorReport");
    if (reports == nullptr || !reports->is_list())
      return Err(sa + ".sensorReport", "required list");
    for (size_t r = 0; r < reports->as_list().size(); ++r) {
      const Value& rep = reports->as_list()[r];
      std::string ra = sa + ".sensorReport[" + std::to_string(r) + "]";
      if (!rep.is_map()) return Err(ra, "must be an object");
      for (const char* num :
           {"value", "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue"}) {
        TM_RETURN_IF_ERROR(CheckNumber(rep.Find(num), ra + "." + num));
      }
      TM_RETURN_IF_ERROR(CheckTime(rep.Find("time"), ra + ".time", false));
    }
  }
  return Status::Ok();
}

Status CheckErrorDeclaration(const Value& ev, const std::string& path) {
  const Value* v = ev.Find("errorDeclaration");
  if (v == nullptr) return Status::Ok();
  std::string at = path + ".errorDeclaration";
  if (!v->is_map()) return Err(at, "must be an object");
  TM_RETURN_IF_ERROR(CheckTime(v->Find("declarationTime"), at + ".declarationTime", true));
  if (const Value* r = v->Find("reason"); r != nullptr && !r->is_string()) {
    return Err(at + ".reason", "must be a string");
  }
  if (const Value* c = v->Find("correctiveEventIDs")) {
    if (!c->is_list()) return Err(at + ".correctiveEventIDs", "must be a list");
    for (size_t i = 0; i < c->as_list().size(); ++i) {
      TM_RETURN_IF_ERROR(
          NeedString(&c->as_list()[i], at + ".correctiveEventIDs[" + std::to_string(i) + "]"));
    }
  }
  return Status::Ok();
}

std::string StripCbv(std::string_view term, std::string_view urn_prefix,
                     std::string_view web_prefix) {
  if (term.substr(0, urn_prefix.size()) == urn_prefix)
    return std::string(term.substr(urn_prefix.size()));
  if (term.substr(0, web_prefix.size()) == web_prefix)
    return std::string(term.substr(web_prefix.size()));
  return std::string(term);
}

void AddIds(const Value* list, std::vector<std::string>& out) {
  if (list == nullptr || !list->is_list()) return;
  for (const auto& v : list->as_list()) {
    if (!v.is_string()) continue;
    auto c = CanonicalId(v.as_string());
    out.push_back(c.ok() ? *c : v.as_string());
  }
}

void AddClasses(const Value* list, std::vector<std::string>& out) {
  if (list == nullptr || !list->is_list()) return;
  for (const auto& q : list->as_list()) {
    const Value* c = q.Find("epcClass");
    if (c == nullptr || !c->is_string()) continue;
    auto id = CanonicalId(c->as_string());
    out.push_back(id.ok() ? *id : c->as_string());
  }
}

int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool Digits(std::string_view s, size_t pos, size_t n, int64_t* out) {
  if (pos + n > s.size()) return false;
  int64_t v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

bool ValidDay(int64_t y, int64_t m, int64_t d) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

}  // namespace

// ---- public ------------------------------------------------------------------------------------

Result<int64_t> ParseDate(std::string_view s) {
  int64_t y, m, d;
  if (s.size() != 10 || !Digits(s, 0, 4, &y) || s[4] != '-' || !Digits(s, 5, 2, &m) ||
      s[7] != '-' || !Digits(s, 8, 2, &d) || !ValidDay(y, m, d)) {
    return Status::Invalid("not a date like 2024-05-01");
  }
  return DaysFromCivil(y, m, d);
}

Result<int64_t> ParseEpcisTime(std::string_view s) {
  auto bad = [] { return Status::Invalid("not an ISO 8601 date-time with a time zone"); };
  if (s.size() < 20 || s[10] != 'T') return bad();
  Result<int64_t> date = ParseDate(s.substr(0, 10));
  if (!date.ok()) return bad();
  int64_t days = *date;
  int64_t hh, mm, ss;
  if (!Digits(s, 11, 2, &hh) || s[13] != ':' || !Digits(s, 14, 2, &mm) || s[16] != ':' ||
      !Digits(s, 17, 2, &ss) || hh > 23 || mm > 59 || ss > 60) {
    return bad();
  }
  size_t i = 19;
  int64_t ms = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (i - start < 3) ms = ms * 10 + (s[i] - '0');
      ++i;
    }
    if (i == start || i - start > 9) return bad();
    for (size_t k = i - start; k < 3; ++k) ms *= 10;
  }
  int64_t offset_min = 0;
  if (i < s.size() && s[i] == 'Z') {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int64_t oh, om;
    if (!Digits(s, i + 1, 2, &oh) || i + 3 >= s.size() || s[i + 3] != ':' ||
        !Digits(s, i + 4, 2, &om) || oh > 14 || om > 59) {
      return bad();
    }
    offset_min = (s[i] == '-' ? -1 : 1) * (oh * 60 + om);
    i += 6;
  } else {
    return bad();
  }
  if (i != s.size()) return bad();
  return ((days * 86400 + hh * 3600 + mm * 60 + ss) - offset_min * 60) * 1000 + ms;
}

std::string FormatEpcisTime(int64_t ms) {
  int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  int64_t milli = ms - secs * 1000;
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t rem = secs - days * 86400;
  // civil_from_days
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char buf[128];
  std::snprintf(buf, sizeof(buf), "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<long long>(y), static_cast<long long>(m), static_cast<long long>(d),
                static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                static_cast<long long>(rem % 60), static_cast<long long>(milli));
  return buf;
}

std::string NormaliseBizStep(std::string_view term) {
  return StripCbv(term, "urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-");
}

std::string NormaliseDisposition(std::string_view term) {
  return StripCbv(term, "urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-");
}

Status ValidateEpcisEvent(const Value& ev, const std::string& path) {
  if (!ev.is_map()) return Err(path, "must be an object");
  const Value* type = ev.Find("type");
  TM_RETURN_IF_ERROR(NeedString(type, path + ".type"));
  const std::string& t = type->as_string();
  if (std::find(kEventTypes.begin(), kEventTypes.end(), t) == kEventTypes.end()) {
    return Err(path + ".type", "unknown event type '" + t + "'");
  }
  for (const auto& [k, v] : ev.as_map()) {
    if (k.find(':') == std::string::npos && KnownFields().count(k) == 0) {
      return Err(path + "." + k, "unknown field (extensions need a namespace prefix)");
    }
  }
  TM_RETURN_IF_ERROR(CheckTime(ev.Find("eventTime"), path + ".eventTime", true));
  TM_RETURN_IF_ERROR(CheckOffset(ev.Find("eventTimeZoneOffset"), path + ".eventTimeZoneOffset"));
  TM_RETURN_IF_ERROR(CheckTime(ev.Find("recordTime"), path + ".recordTime", false));
  if (const Value* id = ev.Find("eventID")) TM_RETURN_IF_ERROR(NeedString(id, path + ".eventID"));
  const Value* action = ev.Find("action");
  if (t == "TransformationEvent") {
    if (action != nullptr) return Err(path + ".action", "not allowed in a TransformationEvent");
  } else {
    TM_RETURN_IF_ERROR(NeedString(action, path + ".action"));
    const std::string& a = action->as_string();
    if (a != "ADD" && a != "OBSERVE" && a != "DELETE") {
      return Err(path + ".action", "must be ADD, OBSERVE or DELETE");
    }
  }
  for (const char* f : {"bizStep", "disposition", "transformationID"}) {
    if (const Value* v = ev.Find(f)) TM_RETURN_IF_ERROR(NeedString(v, path + "." + f));
  }
  for (const char* f : {"epcList", "childEPCs", "inputEPCList", "outputEPCList"}) {
    TM_RETURN_IF_ERROR(CheckIdList(ev, f, path));
  }
  for (const char* f :
       {"quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"}) {
    TM_RETURN_IF_ERROR(CheckQuantityList(ev, f, path));
  }
  const Value* parent = ev.Find("parentID");
  if (parent != nullptr) TM_RETURN_IF_ERROR(CheckId(*parent, path + ".parentID"));
  bool observe = action != nullptr && action->as_string() == "OBSERVE";
  if ((t == "AggregationEvent" && !observe) || t == "AssociationEvent") {
    if (parent == nullptr) return Err(path + ".parentID", "required");
  }
  if (t == "TransactionEvent") {
    const Value* btl = ev.Find("bizTransactionList");
    if (btl == nullptr) return Err(path + ".bizTransactionList", "required");
  }
  if (t == "TransformationEvent" && ev.Find("inputEPCList") == nullptr &&
      ev.Find("inputQuantityList") == nullptr && ev.Find("transformationID") == nullptr) {
    return Err(path + ".inputEPCList", "a TransformationEvent needs inputs or a transformationID");
  }
  TM_RETURN_IF_ERROR(CheckLocation(ev, "readPoint", path));
  TM_RETURN_IF_ERROR(CheckLocation(ev, "bizLocation", path));
  TM_RETURN_IF_ERROR(CheckTypedList(ev, "bizTransactionList", "bizTransaction", false, path));
  TM_RETURN_IF_ERROR(CheckTypedList(ev, "sourceList", "source", true, path));
  TM_RETURN_IF_ERROR(CheckTypedList(ev, "destinationList", "destination", true, path));
  if (const Value* ilmd = ev.Find("ilmd"); ilmd != nullptr && !ilmd->is_map()) {
    return Err(path + ".ilmd", "must be an object");
  }
  if (const Value* pd = ev.Find("persistentDisposition"); pd != nullptr && !pd->is_map()) {
    return Err(path + ".persistentDisposition", "must be an object");
  }
  TM_RETURN_IF_ERROR(CheckSensors(ev, path));
  TM_RETURN_IF_ERROR(CheckErrorDeclaration(ev, path));
  return Status::Ok();
}

namespace {

Result<std::vector<Value>> EventsOfDocument(const Value& doc) {
  if (!doc.is_map()) return Status::Invalid("document: must be a JSON object");
  const Value* type = doc.Find("type");
  if (type == nullptr || !type->is_string() || type->as_string() != "EPCISDocument") {
    return Status::Invalid("type: must be \"EPCISDocument\"");
  }
  TM_RETURN_IF_ERROR(NeedString(doc.Find("schemaVersion"), "schemaVersion"));
  TM_RETURN_IF_ERROR(CheckTime(doc.Find("creationDate"), "creationDate", true));
  const Value* body = doc.Find("epcisBody");
  if (body == nullptr || !body->is_map()) return Status::Invalid("epcisBody: required object");
  const Value* list = body->Find("eventList");
  if (list == nullptr || !list->is_list()) {
    return Status::Invalid("epcisBody.eventList: required list");
  }
  if (list->as_list().size() > kMaxEventsPerCapture) {
    return Status::Invalid("epcisBody.eventList: more than " +
                           std::to_string(kMaxEventsPerCapture) + " events");
  }
  std::vector<Value> events;
  for (size_t i = 0; i < list->as_list().size(); ++i) {
    const Value& ev = list->as_list()[i];
    TM_RETURN_IF_ERROR(ValidateEpcisEvent(ev, "epcisBody.eventList[" + std::to_string(i) + "]"));
    events.push_back(ev);
  }
  return events;
}

}  // namespace

Result<std::vector<Value>> ParseEpcisDocument(const json& document) {
  Value doc;
  try {
    TM_RETURN_IF_ERROR(JsonToValue(document, &doc, 0, "document"));
  } catch (const json::exception& e) {
    return Status::Invalid(std::string("document: ") + e.what());
  }
  return EventsOfDocument(doc);
}

namespace {

// A document's "@context" entries as a list, without the standard EPCIS context.
Value::List DocumentContext(const Value& doc) {
  Value::List out;
  const Value* c = doc.is_map() ? doc.Find("@context") : nullptr;
  if (c == nullptr) return out;
  Value::List entries = c->is_list() ? c->as_list() : Value::List{*c};
  for (auto& e : entries) {
    if (e.is_string() && IsStandardEpcisContext(e.as_string())) continue;
    if (e.is_string() || e.is_map()) out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

Result<std::vector<Value>> ParseEpcisDocumentText(std::string_view text, Value::List* context) {
  ValueSax sax;
  bool ok = false;
  try {
    ok = json::sax_parse(text.begin(), text.end(), &sax);
  } catch (const json::exception& e) {
    return Status::Invalid(std::string("document: ") + e.what());
  }
  if (!ok) {
    return sax.status().ok() ? Status::Invalid("document: malformed JSON")
                             : sax.status().WithContext("document");
  }
  Value doc = sax.Take();
  if (context != nullptr) *context = DocumentContext(doc);
  return EventsOfDocument(doc);
}

Result<std::vector<Value>> ParseEpcisDocumentText(std::string_view text) {
  return ParseEpcisDocumentText(text, nullptr);
}

bool IsStandardEpcisContext(std::string_view entry) {
  return entry.rfind("https://ref.gs1.org/standards/epcis/", 0) == 0 && entry.size() >= 20 &&
         entry.substr(entry.size() - 20) == "epcis-context.jsonld";
}

Result<Value> ParseEpcisEvent(const json& event, const std::string& path) {
  Value ev;
  try {
    TM_RETURN_IF_ERROR(JsonToValue(event, &ev, 0, path));
  } catch (const json::exception& e) {
    return Status::Invalid(path + ": " + e.what());
  }
  TM_RETURN_IF_ERROR(ValidateEpcisEvent(ev, path));
  return ev;
}

namespace {

json ToJsonRec(const Value& v, bool numeric_field) {
  if (numeric_field && v.is_string() && IsDecimal(v.as_string())) {
    json j = json::parse(v.as_string(), nullptr, false);
    if (!j.is_discarded()) return j;
  }
  if (v.is_list()) {
    json a = json::array();
    for (const auto& e : v.as_list()) a.push_back(ToJsonRec(e, false));
    return a;
  }
  if (v.is_map()) {
    static const std::set<std::string> kNumeric = {"quantity",  "value", "minValue", "maxValue",
                                                   "meanValue", "sDev",  "percRank", "percValue"};
    json o = json::object();
    for (const auto& [k, e] : v.as_map()) o[k] = ToJsonRec(e, kNumeric.count(k) != 0);
    return o;
  }
  return v.ToJson();
}

}  // namespace

json EpcisEventToJson(const Value& event) { return ToJsonRec(event, false); }

std::vector<std::string> EventIds::AnyEpc() const {
  std::vector<std::string> all = epcs;
  all.insert(all.end(), inputs.begin(), inputs.end());
  all.insert(all.end(), outputs.begin(), outputs.end());
  if (!parent.empty()) all.push_back(parent);
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return all;
}

EventIds IdsOf(const Value& ev) {
  EventIds ids;
  AddIds(ev.Find("epcList"), ids.epcs);
  AddIds(ev.Find("childEPCs"), ids.epcs);
  AddIds(ev.Find("inputEPCList"), ids.inputs);
  AddClasses(ev.Find("inputQuantityList"), ids.input_classes);
  AddIds(ev.Find("outputEPCList"), ids.outputs);
  AddClasses(ev.Find("outputQuantityList"), ids.output_classes);
  AddClasses(ev.Find("quantityList"), ids.classes);
  AddClasses(ev.Find("childQuantityList"), ids.classes);
  ids.classes.insert(ids.classes.end(), ids.input_classes.begin(), ids.input_classes.end());
  ids.classes.insert(ids.classes.end(), ids.output_classes.begin(), ids.output_classes.end());
  std::sort(ids.classes.begin(), ids.classes.end());
  ids.classes.erase(std::unique(ids.classes.begin(), ids.classes.end()), ids.classes.end());
  if (const Value* p = ev.Find("parentID"); p != nullptr && p->is_string()) {
    auto c = CanonicalId(p->as_string());
    ids.parent = c.ok() ? *c : p->as_string();
  }
  return ids;
}

bool IsEpcisEventField(std::string_view name) { return KnownFields().count(name) != 0; }

}  // namespace tidemark::contracts
