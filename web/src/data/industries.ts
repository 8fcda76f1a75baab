// The market's industry codes, from shared/data/industries.tsv (the same
// table the server validates against, listing/industries.tsv).
export interface Industry {
  code: string;
  zh: string;
  en: string;
}

export const industries: readonly Industry[] = [
  { code: "coal-chemical", zh: "煤焦化工", en: "coal and coking chemicals" },
  { code: "chlor-alkali", zh: "氯碱化工", en: "chlor-alkali" },
  { code: "fine-chemical", zh: "精细化工", en: "fine chemicals" },
  { code: "new-materials", zh: "新材料", en: "new materials" },
  { code: "hydrogen", zh: "氢能", en: "hydrogen" },
  { code: "energy-storage", zh: "储能", en: "energy storage" },
  { code: "ccus", zh: "碳捕集利用与封存", en: "carbon capture, utilisation and storage" },
  { code: "new-energy", zh: "新能源", en: "renewable energy" },
  { code: "equipment", zh: "高端装备制造", en: "high-end equipment" },
  { code: "environment", zh: "生态环境", en: "ecology and environment" },
  { code: "energy-saving", zh: "节能降耗", en: "energy saving" },
  { code: "water", zh: "节水与水处理", en: "water saving and treatment" },
  { code: "digital", zh: "数字经济", en: "digital economy" },
  { code: "agriculture", zh: "现代农业", en: "modern agriculture" },
  { code: "biomedicine", zh: "生物医药及蒙中医药", en: "biomedicine and Mongolian/Chinese medicine" },
  { code: "metallurgy", zh: "冶金", en: "metallurgy" },
  { code: "building-materials", zh: "建材", en: "building materials" },
  { code: "power", zh: "电力", en: "power generation" },
];

const byCode = new Map(industries.map((i) => [i.code, i]));

/** The industry's name in the language given; the code itself when unknown. */
export function industryName(code: string, lang: "zh" | "en"): string {
  const i = byCode.get(code);
  return i ? i[lang] : code;
}
