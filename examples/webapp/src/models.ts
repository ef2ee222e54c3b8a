export type Role = "admin" | "member" | "guest";

export interface User {
  id: number;
  name: string;
  email: string;
  role: Role;
  lastLogin?: Date;
}

export interface Todo {
  id: number;
  title: string;
  done: boolean;
  assignee?: User;
}
