package com.company.database.schemaversion.aws;

/** A database login read from SSM. toString hides the password. */
public record Login(String username, String password) {
    @Override
    public String toString() {
        return "Login[username=" + username + ", password=****]";
    }
}
