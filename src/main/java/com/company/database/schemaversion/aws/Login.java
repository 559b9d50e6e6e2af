package com.company.database.schemaversion.aws;

/** A database login read from SSM. toString hides both values: a user name parameter may hold anything, a secret too. */
public record Login(String username, String password) {
    @Override
    public String toString() {
        return "Login[username=****, password=****]";
    }
}
