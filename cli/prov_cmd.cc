// `tidemark prov ...` (master data, certificates, recalls) and `tidemark customs ...` (clearance),
// the provenance contract's operations. Every argument is checked before anything is sent.
//
//   tidemark prov register-product --gtin 09421234100013 --name "Stage 1 800 g" --origin NZ
//   tidemark prov register-lot --gtin 09421234100013 --lot L1 --expiry-date 2027-07-12
//   tidemark prov register-location --gln urn:epc:id:sgln:9421234.00011.0 --name Dryer --country NZ
//   tidemark prov certify --id C-1 --result conformant --report report.pdf --lot /01/.../10/L1
//       --issue-date 2026-02-03 --expiry-date 2027-02-03
//   tidemark prov recall --lot /01/09421234100013/10/L1 --reason "..."
//   tidemark prov delegate --gtin 09421234100013 --org contract-plant --act commission --act lot
//   tidemark prov delegate --location urn:epc:id:sgln:6901234.00017.0 --org platform
//   tidemark prov delegate --holder platform --org customs --act customs   (engage a broker)
//   tidemark prov revoke-delegation --gtin 09421234100013 --org contract-plant
//   tidemark prov transfer-custody --item <SSCC or SGTIN> ... --to warehouse   (the holder)
//   tidemark prov accept-custody --item <SSCC or SGTIN> ...                    (the addressee)
//   tidemark customs declare --no D-1 --mode 1210 --order O-1 --payment P-1 --waybill W-1
//       --item <SSCC or SGTIN> ...
//   tidemark customs inspect|release|return D-1      tidemark customs reject D-1 --reason "..."
#include <fstream>
#include <memory>
#include <sstream>

#include "commands.h"
#include "tidemark/contracts/epcis.h"
#include "tidemark/contracts/gs1.h"
#include "tidemark/hash.h"
#include "tx_support.h"

namespace tidemark::cli {

namespace {

Status CheckCountry(const std::string& c, const std::string& what) {
  bool ok = c.size() == 2 && std::isupper(static_cast<unsigned char>(c[0])) &&
            std::isupper(static_cast<unsigned char>(c[1]));
  return ok ? Status::Ok()
            : Status::Invalid(what + ": an ISO 3166 alpha-2 code like NZ, got '" + c + "'");
}

Status CheckDate(const std::string& d, const std::string& what) {
  auto r = contracts::ParseDate(d);
  return r.ok() ? Status::Ok() : Status::Invalid(what + ": expected YYYY-MM-DD, got '" + d + "'");
}

Result<std::string> Canonical(const std::string& id, const std::string& what) {
  auto c = contracts::CanonicalId(id);
  if (!c.ok()) return c.status().WithContext(what);
  return *c;
}

Status NonEmpty(const std::string& v, const std::string& what) {
  return v.empty() ? Status::Invalid(what + ": required") : Status::Ok();
}

struct ProvArgs {
  std::string gtin, name, brand, origin, description, lot, production, expiry, gln, country, kind,
      id, result, report_sha256, report_file, issue, reason, recall_id, org, location, to, holder;
  int prefix_length = 0;
  std::vector<std::string> lots, acts, items;
};

// {gtin | location | holder, org}: the scope of a delegation, exactly one of the three.
Result<Value::Map> DelegationScope(const ProvArgs& a) {
  if (int{!a.gtin.empty()} + int{!a.location.empty()} + int{!a.holder.empty()} != 1) {
    return Status::Invalid("--gtin, --location or --holder: exactly one is required");
  }
  TM_RETURN_IF_ERROR(NonEmpty(a.org, "--org"));
  Value::Map m{{"org", a.org}};
  if (!a.holder.empty()) {
    m["holder"] = a.holder;
  } else if (!a.gtin.empty()) {
    auto g = contracts::NormaliseGtin(a.gtin);
    if (!g.ok()) return g.status().WithContext("--gtin");
    m["gtin"] = *g;
  } else {
    TM_RETURN_IF_ERROR(Canonical(a.location, "--location").status());
    m["location"] = a.location;
  }
  return m;
}

Result<Value::List> ItemList(const std::vector<std::string>& items) {
  Value::List out;
  for (const auto& i : items) {
    TM_RETURN_IF_ERROR(Canonical(i, "--item").status());
    out.push_back(i);
  }
  return out;
}

void RegisterProv(CLI::App& app, Context& ctx) {
  auto* prov = app.add_subcommand("prov", "Provenance master data, certificates and recalls");
  prov->require_subcommand(1);
  auto signer = std::make_shared<SignerOptions>();
  auto a = std::make_shared<ProvArgs>();

  auto* product =
      prov->add_subcommand("register-product", "Register a product (BRAND/MANUFACTURER)");
  product->add_option("--gtin", a->gtin, "GTIN-8/12/13/14")->required();
  product->add_option("--name", a->name, "Product name")->required();
  product->add_option("--origin", a->origin, "Country of origin (ISO 3166 alpha-2)")->required();
  product->add_option("--brand", a->brand, "Brand name");
  product->add_option("--company-prefix-length", a->prefix_length, "GS1 company prefix length")
      ->check(CLI::Range(6, 12));
  product->add_option("--description", a->description, "Description");
  AddSignerOptions(product, *signer);
  OnSubmit(product, ctx, signer, "prov", "register_product", [a]() -> Result<Value> {
    auto gtin = contracts::NormaliseGtin(a->gtin);
    if (!gtin.ok()) return gtin.status().WithContext("--gtin");
    TM_RETURN_IF_ERROR(NonEmpty(a->name, "--name"));
    TM_RETURN_IF_ERROR(CheckCountry(a->origin, "--origin"));
    Value::Map m{{"gtin", *gtin}, {"name", a->name}, {"origin_country", a->origin}};
    if (!a->brand.empty()) m["brand"] = a->brand;
    if (a->prefix_length) m["company_prefix_length"] = a->prefix_length;
    if (!a->description.empty()) m["description"] = a->description;
    return Value(m);
  });

  auto* lot = prov->add_subcommand("register-lot", "Register a lot (BRAND/MANUFACTURER)");
  lot->add_option("--gtin", a->gtin, "GTIN")->required();
  lot->add_option("--lot", a->lot, "Lot number")->required();
  lot->add_option("--production-date", a->production, "YYYY-MM-DD");
  lot->add_option("--expiry-date", a->expiry, "YYYY-MM-DD");
  AddSignerOptions(lot, *signer);
  OnSubmit(lot, ctx, signer, "prov", "register_lot", [a]() -> Result<Value> {
    auto gtin = contracts::NormaliseGtin(a->gtin);
    if (!gtin.ok()) return gtin.status().WithContext("--gtin");
    TM_RETURN_IF_ERROR(Canonical(contracts::LotKey(*gtin, a->lot), "--lot").status());
    Value::Map m{{"gtin", *gtin}, {"lot", a->lot}};
    if (!a->production.empty()) {
      TM_RETURN_IF_ERROR(CheckDate(a->production, "--production-date"));
      m["production_date"] = a->production;
    }
    if (!a->expiry.empty()) {
      TM_RETURN_IF_ERROR(CheckDate(a->expiry, "--expiry-date"));
      m["expiry_date"] = a->expiry;
    }
    return Value(m);
  });

  auto* loc = prov->add_subcommand("register-location", "Register a location (any member)");
  loc->add_option("--gln", a->gln, "GLN-13, SGLN URN or Digital Link")->required();
  loc->add_option("--name", a->name, "Name")->required();
  loc->add_option("--country", a->country, "ISO 3166 alpha-2");
  loc->add_option("--kind", a->kind, "e.g. factory, port, bonded_warehouse, store");
  AddSignerOptions(loc, *signer);
  OnSubmit(loc, ctx, signer, "prov", "register_location", [a]() -> Result<Value> {
    auto canonical = contracts::CanonicalLocationId(a->gln);
    if (!canonical.ok()) return canonical.status().WithContext("--gln");
    auto id = contracts::ParseIdentifier(*canonical);
    if (!id.ok()) return id.status().WithContext("--gln");
    if (id->kind != contracts::IdKind::kSgln) return Status::Invalid("--gln: not a GLN");
    Value::Map m{{"gln", a->gln}, {"name", a->name}};
    if (!a->country.empty()) {
      TM_RETURN_IF_ERROR(CheckCountry(a->country, "--country"));
      m["country"] = a->country;
    }
    if (!a->kind.empty()) m["kind"] = a->kind;
    return Value(m);
  });

  auto* party = prov->add_subcommand("register-party", "Register a trading party (any member)");
  party->add_option("--id", a->id, "Party id (e.g. a GLN or your own id)")->required();
  party->add_option("--name", a->name, "Name")->required();
  party->add_option("--country", a->country, "ISO 3166 alpha-2");
  AddSignerOptions(party, *signer);
  OnSubmit(party, ctx, signer, "prov", "register_party", [a]() -> Result<Value> {
    TM_RETURN_IF_ERROR(NonEmpty(a->id, "--id"));
    TM_RETURN_IF_ERROR(NonEmpty(a->name, "--name"));
    Value::Map m{{"id", a->id}, {"name", a->name}};
    if (!a->country.empty()) {
      TM_RETURN_IF_ERROR(CheckCountry(a->country, "--country"));
      m["country"] = a->country;
    }
    return Value(m);
  });

  auto* cert = prov->add_subcommand("certify", "Sign an inspection result for lots (INSPECTOR)");
  cert->add_option("--id", a->id, "Certificate id")->required();
  cert->add_option("--result", a->result, "conformant or non_conformant")
      ->required()
      ->check(CLI::IsMember({"conformant", "non_conformant"}));
  auto* sha = cert->add_option("--report-sha256", a->report_sha256, "SHA-256 of the report (hex)");
  auto* file = cert->add_option("--report", a->report_file, "The report file (hashed here)")
                   ->check(CLI::ExistingFile);
  sha->excludes(file);
  cert->add_option("--issue-date", a->issue, "YYYY-MM-DD")->required();
  cert->add_option("--expiry-date", a->expiry, "YYYY-MM-DD")->required();
  cert->add_option("--lot", a->lots, "Lot id (/01/<gtin>/10/<lot> or LGTIN URN; repeat)")
      ->required();
  AddSignerOptions(cert, *signer);
  OnSubmit(cert, ctx, signer, "prov", "certify", [a]() -> Result<Value> {
    std::string sha256 = a->report_sha256;
    if (!a->report_file.empty()) {
      std::ifstream in(a->report_file, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      sha256 = Sha256(AsBytes(ss.str())).Hex();
    }
    if (sha256.size() != 64 || !FromHex(sha256).ok()) {
      return Status::Invalid("give the report with --report FILE or --report-sha256 <64 hex>");
    }
    TM_RETURN_IF_ERROR(CheckDate(a->issue, "--issue-date"));
    TM_RETURN_IF_ERROR(CheckDate(a->expiry, "--expiry-date"));
    Value::List lots;
    for (const auto& l : a->lots) {
      TM_ASSIGN_OR_RETURN(std::string c, Canonical(l, "--lot"));
      lots.push_back(c);
    }
    return Value::MakeMap({{"certificate_id", a->id},
                           {"result", a->result},
                           {"report_sha256", sha256},
                           {"issue_date", a->issue},
                           {"expiry_date", a->expiry},
                           {"lots", Value(lots)}});
  });

  auto* recall = prov->add_subcommand("recall", "Recall a lot (BRAND/MANUFACTURER/REGULATOR)");
  recall->add_option("--lot", a->lot, "Lot id (/01/<gtin>/10/<lot> or LGTIN URN)")->required();
  recall->add_option("--reason", a->reason, "Why")->required();
  recall->add_option("--recall-id", a->recall_id, "Recall id (default: from the tx id)");
  AddSignerOptions(recall, *signer);
  OnSubmit(recall, ctx, signer, "prov", "recall", [a]() -> Result<Value> {
    TM_ASSIGN_OR_RETURN(std::string lot, Canonical(a->lot, "--lot"));
    TM_RETURN_IF_ERROR(NonEmpty(a->reason, "--reason"));
    Value::Map m{{"lot", lot}, {"reason", a->reason}};
    if (!a->recall_id.empty()) m["recall_id"] = a->recall_id;
    return Value(m);
  });

  auto* delegate = prov->add_subcommand(
      "delegate",
      "Let another organisation act on your product (GTIN) or location (owner), or engage a "
      "customs broker for the goods your organisation holds (--holder)");
  delegate->add_option("--gtin", a->gtin, "Your product's GTIN");
  delegate->add_option("--location", a->location, "Your location (GLN or SGLN URN)");
  delegate->add_option("--holder", a->holder,
                       "Your organisation's id: engage --org as customs broker for what it holds");
  delegate->add_option("--org", a->org, "The organisation delegated to")->required();
  delegate->add_option("--act", a->acts,
                       "What it may do (repeat; default all): commission, destroy, lot, recall "
                       "for a GTIN; event for a location; customs for a holder");
  AddSignerOptions(delegate, *signer);
  OnSubmit(delegate, ctx, signer, "prov", "delegate", [a]() -> Result<Value> {
    TM_ASSIGN_OR_RETURN(Value::Map m, DelegationScope(*a));
    if (!a->acts.empty()) m["acts"] = Value(Value::List(a->acts.begin(), a->acts.end()));
    return Value(m);
  });

  auto* revoke = prov->add_subcommand("revoke-delegation", "Revoke a delegation (owner)");
  revoke->add_option("--gtin", a->gtin, "Your product's GTIN");
  revoke->add_option("--location", a->location, "Your location (GLN or SGLN URN)");
  revoke->add_option("--holder", a->holder, "Your organisation's id (a broker's engagement)");
  revoke->add_option("--org", a->org, "The organisation delegated to")->required();
  AddSignerOptions(revoke, *signer);
  OnSubmit(revoke, ctx, signer, "prov", "revoke_delegation", [a]() -> Result<Value> {
    TM_ASSIGN_OR_RETURN(Value::Map m, DelegationScope(*a));
    return Value(m);
  });

  auto* offer = prov->add_subcommand(
      "transfer-custody", "Offer the custody of goods you hold to another organisation (holder)");
  offer->add_option("--item", a->items, "Item or container id (repeat)")->required();
  offer->add_option("--to", a->to, "The receiving organisation")->required();
  AddSignerOptions(offer, *signer);
  OnSubmit(offer, ctx, signer, "prov", "transfer_custody", [a]() -> Result<Value> {
    TM_ASSIGN_OR_RETURN(Value::List items, ItemList(a->items));
    TM_RETURN_IF_ERROR(NonEmpty(a->to, "--to"));
    return Value(Value::Map{{"items", Value(items)}, {"to", a->to}});
  });

  auto* accept = prov->add_subcommand(
      "accept-custody", "Accept goods whose custody was offered to your organisation");
  accept->add_option("--item", a->items, "Item or container id (repeat)")->required();
  AddSignerOptions(accept, *signer);
  OnSubmit(accept, ctx, signer, "prov", "accept_custody", [a]() -> Result<Value> {
    TM_ASSIGN_OR_RETURN(Value::List items, ItemList(a->items));
    return Value(Value::Map{{"items", Value(items)}});
  });
}

struct CustomsArgs {
  std::string no, mode, order, payment, waybill, origin, reason, time;
  std::vector<std::string> items;
};

void RegisterCustoms(CLI::App& app, Context& ctx) {
  auto* customs =
      app.add_subcommand("customs", "Customs clearance (broker declares, customs decides)");
  customs->require_subcommand(1);
  auto signer = std::make_shared<SignerOptions>();
  auto a = std::make_shared<CustomsArgs>();

  auto* declare = customs->add_subcommand("declare",
                                          "Declare a consignment (CUSTOMS_BROKER or PLATFORM, "
                                          "engaged by the goods' holder: prov delegate --holder)");
  declare->add_option("--no", a->no, "Declaration number")->required();
  declare
      ->add_option("--mode", a->mode,
                   "0110 general trade, 1210 bonded import, 1239, 9610 direct B2C, 9710, 9810")
      ->required()
      ->check(CLI::IsMember({"0110", "1210", "1239", "9610", "9710", "9810"}));
  declare->add_option("--time", a->time,
                      "Declared time (ISO 8601 with zone; default: the block time)");
  declare->add_option("--order", a->order, "Order number")->required();
  declare->add_option("--payment", a->payment, "Payment number")->required();
  declare->add_option("--waybill", a->waybill, "Waybill number")->required();
  declare->add_option("--item", a->items, "Item or container id (repeat)")->required();
  declare->add_option("--origin", a->origin, "Country of origin");
  AddSignerOptions(declare, *signer);
  OnSubmit(declare, ctx, signer, "prov", "customs_declare", [a]() -> Result<Value> {
    Value::List items;
    for (const auto& i : a->items) {
      TM_RETURN_IF_ERROR(Canonical(i, "--item").status());
      items.push_back(i);
    }
    Value::Map m{{"declaration_no", a->no},  {"mode", a->mode},          {"order_no", a->order},
                 {"payment_no", a->payment}, {"waybill_no", a->waybill}, {"items", Value(items)}};
    if (!a->origin.empty()) {
      TM_RETURN_IF_ERROR(CheckCountry(a->origin, "--origin"));
      m["origin_country"] = a->origin;
    }
    if (!a->time.empty()) m["declared_time"] = a->time;
    return Value(m);
  });

  for (const char* verb : {"inspect", "release", "return"}) {
    auto* cmd = customs->add_subcommand(
        verb, std::string("Customs: ") + verb + " a declared consignment (CUSTOMS)");
    cmd->add_option("declaration", a->no, "Declaration number")->required();
    const bool release = std::string(verb) == "release";
    if (release) {
      cmd->add_option("--time", a->time,
                      "Release time (ISO 8601 with zone; default: the block time)");
    }
    AddSignerOptions(cmd, *signer);
    OnSubmit(cmd, ctx, signer, "prov", std::string("customs_") + verb,
             [a, release]() -> Result<Value> {
               TM_RETURN_IF_ERROR(NonEmpty(a->no, "declaration"));
               Value::Map m{{"declaration_no", a->no}};
               if (release && !a->time.empty()) m["release_time"] = a->time;
               return Value(m);
             });
  }
  auto* reject = customs->add_subcommand("reject", "Customs: reject a consignment (CUSTOMS)");
  reject->add_option("declaration", a->no, "Declaration number")->required();
  reject->add_option("--reason", a->reason, "Why")->required();
  AddSignerOptions(reject, *signer);
  OnSubmit(reject, ctx, signer, "prov", "customs_reject", [a]() -> Result<Value> {
    TM_RETURN_IF_ERROR(NonEmpty(a->reason, "--reason"));
    return Value::MakeMap({{"declaration_no", a->no}, {"reason", a->reason}});
  });
}

}  // namespace

void RegisterProvCommands(CLI::App& app, Context& ctx) {
  RegisterProv(app, ctx);
  RegisterCustoms(app, ctx);
}

}  // namespace tidemark::cli
