//! Rules about accounts that every backend applies the same way.

/// Whether a new account (made, or upgraded from a guest) is a server admin:
/// the first account of a server is, so a fresh install has someone who can
/// manage it without the admin command. `accounts_exist` must be read in the
/// transaction that writes the account.
pub fn admin_on_creation(accounts_exist: bool) -> bool {
    !accounts_exist
}

#[cfg(test)]
mod tests {
    use super::admin_on_creation;

    #[test]
    fn the_first_account_is_admin_and_later_ones_are_not() {
        assert!(admin_on_creation(false));
        assert!(!admin_on_creation(true));
    }
}
