// Package analysis turns listing text into index terms for bleve: a
// dictionary segmenter for Chinese, taught the city's and the market's
// vocabulary, plus folding, stemming, stop words and synonyms, and a
// character-bigram analyzer for what the dictionary misses.
//
// Matching an enterprise's demand against a technology offer means finding
// the same things under different words: 疏干水 and 矿井水, PVC and 聚氯乙烯,
// "reverse osmosis" and 反渗透, ＰＥＭ typed in full width and PEM. Chinese has
// no spaces, so before any of that the text must be cut into words, and a
// general-purpose dictionary cuts 荒煤气 into 荒+煤气 and 疏干水 into three
// characters. This package fixes both problems at analysis time, so that
// documents and queries meet on the same terms.
//
// # Pipeline
//
// The techmarket_zh analyzer (AnalyzerZH) runs:
//
//  1. The techmarket_zh tokenizer. Runs of Latin letters and digits become
//     one token each (PVC, 2MW, IE3, 0.6MPa, PM2.5); runs of CJK characters
//     go to gse, a pure-Go dictionary segmenter, which picks the most
//     probable split (焦炉煤气|综合|利用). Punctuation, spaces and symbols are
//     dropped. Full-width characters are classified by their half-width
//     form (ＩＥ３ is one Latin token), but every token keeps the byte
//     offsets of its original surface in the text, so a highlighter marks
//     exactly what the user wrote.
//  2. Search mode. After each word come the shorter dictionary words inside
//     it (碳捕集利用与封存 → 碳捕集, 捕集, 利用, 封存), and any domain term
//     that starts inside it but that the segmenter cut differently (in
//     矿井水中 gse prefers 矿井+水中; 矿井水 is added). These share the
//     word's position, like synonyms, so phrase queries follow the main
//     path while a query for 封存 still finds 碳捕集利用与封存.
//  3. techmarket_fold: full-width ASCII to ASCII, ideographic space to
//     space, CO₂ and m³ to co2 and m3.
//  4. lower-casing (lowerFilter: bleve's to_lower garbles runes whose lower
//     case is shorter in UTF-8, such as İ).
//  5. techmarket_stop: function words (的, 和, 与, the, of …) and listing
//     boilerplate (合作方式, 联系人, 有限公司 …), together with the sub-words
//     of a dropped word.
//  6. techmarket_latin_stem: Snowball English on tokens of ASCII letters
//     only (electrolyzers → electrolyz); Chinese and tokens with digits are
//     left alone.
//  7. techmarket_synonym: for every member of a synonym group seen, the
//     group's canonical term is added at the member's position (PVC → also
//     聚氯乙烯; reverse osmosis → also 反渗透).
//
// The same analyzer serves English listings: they are the Latin half of the
// pipeline, and one term space lets the synonym table bridge the languages
// (an English offer's "electrolyser" meets a demand's 电解槽). A separate
// English analyzer would only add a second field to query.
//
// AnalyzerZHExact is the same without step 2. AnalyzerBigram is bleve's
// unicode tokenizer, techmarket_fold, to_lower and cjk_bigram: every pair of
// adjacent Chinese characters is a term.
//
// # Why search mode and bigrams
//
// The segmenter makes one decision per character, and a query and a
// document can be cut differently: a listing says 碳捕集利用与封存, a demand
// says 封存. Search mode indexes the pieces as well, so both hold 封存. It
// costs precision: 葡萄糖 (glucose) also yields 葡萄 (grape), 盐酸小檗碱
// yields 盐酸. Indexing the exact analysis in a second field, weighted above
// the search-mode one, lets ranking prefer whole-word matches.
//
// No dictionary knows every word: a plant manager writes 烧穿 or a product
// name, and the segmenter breaks it into characters, which match almost
// anything. Bigrams match such words reliably (烧穿 is a bigram) at the cost
// of many meaningless pairs, which inverse document frequency mostly
// silences. So a listing's text is best indexed twice, words and bigrams, in
// fields of their own, with the words field weighted higher.
//
// # Wiring into an index
//
// Importing this package registers the analyzers, tokenizer and filters with
// bleve under the names in the constants; a mapping only names them:
//
//	words := bleve.NewTextFieldMapping()
//	words.Analyzer = analysis.AnalyzerZH
//	bigrams := bleve.NewTextFieldMapping()
//	bigrams.Analyzer = analysis.AnalyzerBigram
//	bigrams.Name = "description_bigram"
//	listing.AddFieldMappingsAt("description", words, bigrams)
//
// Every process that opens such an index must import this package, since
// the index stores only the names. Set the Analyzer of a query on a field
// explicitly: bleve finds the analyzer of a renamed field (Name set, as
// description_bigram above) only under a TypeMapping, and otherwise falls
// back to the index's default analyzer. The tokenizer also works inside a
// custom analyzer (mapping.AddCustomAnalyzer with "type": "custom",
// "tokenizer": "techmarket_zh" and the filters by name; the "custom" type
// exists only once bleve's analysis/analyzer/custom package is imported);
// its config accepts "search_mode": false.
//
// Terms and Analyze run the analyzers directly, for building queries from a
// listing and for tests.
//
// # The dictionary and its cost
//
// gse's simplified-Chinese dictionary (352,000 words) is embedded in the
// binary; building its trie takes about 2.5 s and 130 MB of heap, once per
// process. Nothing is loaded until the first text is analysed; a server
// calls Load(Config{}) at start-up to pay the cost there. All analyzers
// share one segmenter, which is read-only after loading and safe for
// concurrent use.
//
// # Extending the word lists
//
// Three files in this package are embedded as defaults; each documents its
// format at its top:
//
//   - dict.txt: terms the segmenter must keep whole (荒煤气, 疏干水,
//     无汞触媒). Add a term when a key word of a listing comes out in pieces;
//     Terms shows the split.
//   - synonyms.txt: groups of equivalent names, one per line, the canonical
//     term first: 聚氯乙烯 = PVC = polyvinyl chloride. Chinese members are
//     added to the segmenter automatically, so they stay whole.
//   - stopwords.txt: words that never tell two listings apart.
//
// An operator can replace any of them without rebuilding: Load with a
// Config whose readers are the operator's files, or extend a default with
// io.MultiReader(analysis.DefaultDict(), strings.NewReader("\n"), file).
// Analysis changes with the lists, so an index must be rebuilt after a
// change; the package's tests check that every default dictionary term
// segments whole and every synonym group loads.
package analysis
