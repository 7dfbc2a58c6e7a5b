#pragma once
// Reading a pugixml tree the way feeds need: namespace of an element (pugixml does not do
// namespaces), text and inline markup of an element, and its xml:base. Every walk here is
// iterative or depth-capped, so 100k-deep documents cost linear time and no stack.

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include <pugixml.hpp>

#include "feed_builder.hpp"

namespace herald::parser::detail {

enum class Ns {
    kNone,  // no namespace
    kAtom10,
    kAtom03,
    kRss10,
    kRss090,
    kRss20,  // RSS 2.0 put in a namespace (userland's backend.userland.com/rss2)
    kRdf,
    kDc,
    kDcTerms,
    kContent,
    kMedia,
    kItunes,
    kFeedburner,
    kXhtml,
    kSyndication,  // sy:updatePeriod, sy:updateFrequency
    kXml,          // the reserved xml: prefix
    kOther,
};

struct QName {
    Ns ns = Ns::kNone;
    std::string_view local;
};

// Namespace prefixes resolved as in scope at a few recent elements, so that an item's dozen
// children do not each walk up to the root's declarations: a walk stops at a remembered scope.
class NamespaceMemo {
public:
    [[nodiscard]] std::optional<Ns> find(pugi::xml_node parent, std::string_view prefix) const;
    void remember(pugi::xml_node parent, std::string_view prefix, Ns ns);

    // The namespace the document element declares for `prefix`, when nothing between it and
    // `parent` declares any namespace (feeds declare them all on the root): one table read per
    // element instead of a walk. nullopt: resolve the long way.
    [[nodiscard]] std::optional<Ns> find_root_declared(pugi::xml_node parent,
                                                       std::string_view prefix);

    // The document holds at most `count` namespace declarations (prepare_utf8 counted
    // "xmlns"). When the root has that many, no other element declares one, and elements
    // below the root resolve from the root's table without reading their own attributes.
    void bound_declarations(std::size_t count) { declaration_bound_ = count; }
    // The namespace of `element`, when the bound above settles it; nullopt: the long way.
    [[nodiscard]] std::optional<Ns> find_below_root(pugi::xml_node element,
                                                    std::string_view prefix);

private:
    struct Declaration {
        std::string_view prefix;
        Ns ns = Ns::kNone;
    };
    static constexpr std::size_t kMaxRootDeclarations = 24;

    void read_root(pugi::xml_node any);
    [[nodiscard]] bool is_root_scope(pugi::xml_node parent);

    const pugi::xml_node_struct* root_ = nullptr;  // the document element, once read
    bool has_root_ = false;
    bool is_root_usable_ = false;  // false when the root has more declarations than fit
    std::optional<std::size_t> declaration_bound_;
    bool only_root_declares_ = false;  // set by read_root from declaration_bound_
    std::array<Declaration, kMaxRootDeclarations> root_declarations_{};
    std::size_t root_declaration_count_ = 0;
    // The last few parents asked about (an item, its author, its media:group, ...), and
    // whether each is in the root's scope.
    struct ScopeParent {
        const pugi::xml_node_struct* parent = nullptr;
        bool is_root_scope = false;
    };
    static constexpr std::size_t kScopeParents = 4;
    std::array<ScopeParent, kScopeParents> scope_parents_{};
    std::size_t next_scope_parent_ = 0;

    struct Entry {
        pugi::xml_node parent;
        std::string_view prefix;
        Ns ns = Ns::kNone;
    };
    // Several parents: reading an item's <author> must not evict the item's own entries.
    static constexpr std::size_t kSlots = 8;
    std::array<Entry, kSlots> entries_{};
    std::size_t next_ = 0;  // round-robin replacement
};

// Namespace and local name of `element`. An undeclared prefix is guessed from its usual
// meaning (feeds forget xmlns:dc) and reported in `diagnostics`.
[[nodiscard]] QName qualified_name(pugi::xml_node element, Diagnostics& diagnostics);
// The same, reusing what `memo` knows about the element's parent.
[[nodiscard]] QName qualified_name(pugi::xml_node element, Diagnostics& diagnostics,
                                   NamespaceMemo& memo);

// True when `element` is local name `local` (ASCII case-insensitive) in namespace `ns`.
[[nodiscard]] bool is(const QName& name, Ns ns, std::string_view local);

enum class Markup {
    kText,   // character data as decoded; child elements serialised (feedparser's naked markup)
    kXhtml,  // XML serialised with text escaped (Atom type="xhtml", mode="xml")
};

// The element's content: text and CDATA decoded, child elements serialised back to markup.
[[nodiscard]] std::string element_content(pugi::xml_node element, Markup markup);

// The element's own text (PCDATA and CDATA children only), trimmed.
[[nodiscard]] std::string element_text(pugi::xml_node element);

// `reference` resolved against the base URL in effect at `element`: nested xml:base resolved
// from the document's base down.
[[nodiscard]] std::string resolve_at(pugi::xml_node element, std::string_view document_base,
                                     std::string_view reference);

// How many child nodes `element` has: an upper bound on its items, to reserve for them once
// (growing the vector moved every Item read so far, again and again).
[[nodiscard]] std::size_t child_count(pugi::xml_node element);

// The value of attribute `name` ignoring its prefix ("href", "xml:lang"), or empty.
[[nodiscard]] std::string_view attribute(pugi::xml_node element, std::string_view name);

}  // namespace herald::parser::detail
