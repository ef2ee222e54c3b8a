import type { User } from "./models";

export function formatName(user: User): string {
  return `${user.name} <${user.emial}>`;
}

export function formatDate(date) {
  return date.toISOString().slice(0, 10);
}

export function lastSeen(user: User): string {
  return formatDate(user.lastLogin);
}
