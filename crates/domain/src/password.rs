//! The password policy.

/// Why a password is refused; the message is shown beside the field.
pub fn check(login: &str, password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < 10 {
        return Err(format!("密码至少10位,当前{n}位 / at least 10 characters"));
    }
    if n > 128 {
        return Err("密码不能超过128位 / at most 128 characters".into());
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|x| **x).count() < 3 {
        return Err(
            "密码需包含小写字母、大写字母、数字、符号中的至少三类 / use three of: lower case, upper case, digits, symbols".into(),
        );
    }
    let lower = password.to_lowercase();
    if !login.is_empty() && lower.contains(&login.to_lowercase()) {
        return Err("密码不能包含登录名 / must not contain the login".into());
    }
    const COMMON: [&str; 6] = ["password", "12345678", "qwerty", "admin123", "leapfrog", "abc123"];
    if COMMON.iter().any(|c| lower.contains(c)) {
        return Err("密码过于常见 / too common".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn strong_passwords_pass_and_weak_ones_say_why() {
        assert!(check("zhang", "Gj-2023-ganjiang").is_ok());
        assert!(check("zhang", "Short1!").unwrap_err().contains("10"));
        assert!(check("zhang", "alllowercaseletters").unwrap_err().contains("三类"));
        assert!(check("zhang", "Zhang-2023-xyz").unwrap_err().contains("登录名"));
        assert!(check("zhang", "MyPassword-99").unwrap_err().contains("常见"));
    }
}
