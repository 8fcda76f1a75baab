// The portal speaks Chinese first and English on request. Every visible
// string comes from the dictionaries here; the choice is kept in
// localStorage, and <html lang> follows it for screen readers and fonts.
import { useSyncExternalStore } from "react";
import { zh, type MessageKey } from "./zh";
import { en } from "./en";

export type Lang = "zh" | "en";
export type { MessageKey };
export type Vars = Record<string, string | number>;
export type Translate = (key: MessageKey, vars?: Vars) => string;

const KEY = "techmarket.lang";
const dictionaries: Record<Lang, Record<MessageKey, string>> = { zh, en };
const listeners = new Set<() => void>();

function stored(): Lang {
  try {
    return localStorage.getItem(KEY) === "en" ? "en" : "zh";
  } catch {
    return "zh";
  }
}

let current: Lang = stored();
document.documentElement.lang = current === "zh" ? "zh-CN" : "en";

export function setLang(lang: Lang): void {
  current = lang;
  try {
    localStorage.setItem(KEY, lang);
  } catch {
    // Without storage the choice lasts for this page.
  }
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  for (const l of listeners) l();
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function useLang(): Lang {
  return useSyncExternalStore(subscribe, () => current);
}

/** Fills `{name}` placeholders. */
function fill(text: string, vars?: Vars): string {
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

export function translator(lang: Lang): Translate {
  const dict = dictionaries[lang];
  return (key, vars) => fill(dict[key] ?? key, vars);
}

/** True when `key` names a message: for keys built from server words (`region.${code}`). */
export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(zh, key);
}

/** The translate function of the language in force; re-renders on a switch. */
export function useT(): Translate {
  return translator(useLang());
}
