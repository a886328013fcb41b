//! 系统管理: accounts and API tokens, for administrators.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::authz::Role;
use serde::Deserialize;
use service::App;

use crate::WebError;
use crate::account::china_time;
use crate::auth::Authed;
use crate::pages::{Nav, nav};

pub struct UserView {
    pub login: String,
    pub name: String,
    pub role: &'static str,
    pub scope: String,
    pub state: &'static str,
    pub disabled: bool,
}

pub struct TokenView {
    pub id: i64,
    pub login: String,
    pub label: String,
    pub created: String,
    pub live: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "users.html")]
pub struct UsersPage {
    pub nav: Nav,
    pub users: Vec<UserView>,
    pub tokens: Vec<TokenView>,
    pub roles: Vec<(&'static str, &'static str)>,
    /// A secret to hand over, shown once: (what, value).
    pub secret: Option<(String, String)>,
    pub error: Option<String>,
    /// The add-user form as typed, kept after an error.
    pub form: AddUserForm,
}

#[derive(Deserialize, Default, Clone)]
pub struct AddUserForm {
    #[serde(default)]
    pub login: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub scope: String,
}

async fn page(
    app: &App,
    authed: &Authed,
    secret: Option<(String, String)>,
    error: Option<String>,
    form: AddUserForm,
) -> Result<UsersPage, WebError> {
    let users = app.users(&authed.caller).await?;
    let tokens = app.tokens(&authed.caller).await?;
    Ok(UsersPage {
        nav: nav(app, authed, "users"),
        users: users
            .into_iter()
            .map(|u| UserView {
                role: Role::parse(&u.role).map_or("?", Role::zh),
                scope: u.scope.clone().unwrap_or_default(),
                state: if u.disabled {
                    "已停用"
                } else if u.locked_until > service::now() {
                    "已锁定"
                } else if u.must_change_password {
                    "待修改初始密码"
                } else {
                    "正常"
                },
                disabled: u.disabled,
                login: u.login,
                name: u.name,
            })
            .collect(),
        tokens: tokens
            .into_iter()
            .map(|t| TokenView {
                id: t.id,
                login: t.login,
                label: t.label,
                created: china_time(t.created_at),
                live: t.revoked_at.is_none(),
            })
            .collect(),
        roles: Role::ALL.iter().map(|r| (r.code(), r.zh())).collect(),
        secret,
        error,
        form,
    })
}

pub async fn users(State(app): State<App>, authed: Authed) -> Result<UsersPage, WebError> {
    page(&app, &authed, None, None, AddUserForm::default()).await
}

#[derive(Deserialize)]
pub struct AdminForm {
    pub csrf: String,
    /// add, disable, enable, reset, token, revoke
    pub op: String,
    #[serde(flatten)]
    pub user: AddUserForm,
    #[serde(default)]
    pub label: String,
    /// Text, as the flattened form cannot type it.
    #[serde(default)]
    pub id: String,
}

/// Every change on this page goes through one form; the result (or the error, beside the
/// values typed) is shown on the page itself.
pub async fn change(State(app): State<App>, authed: Authed, Form(f): Form<AdminForm>) -> Result<Response, WebError> {
    authed.check_csrf(&f.csrf)?;
    // Each use case below asks the gate; so does the page drawn after it.
    let c = &authed.caller;
    let u = &f.user;
    let result: Result<Option<(String, String)>, service::ServiceError> = match f.op.as_str() {
        "add" => match Role::parse(&u.role) {
            None => Err(service::ServiceError::BadRequest("请选择角色 / choose a role".into())),
            Some(role) => app
                .add_user(c, &u.login, &u.name, role, Some(u.scope.as_str()).filter(|s| !s.trim().is_empty()), None)
                .await
                .map(|pw| Some((format!("{} 的初始密码(首次登录须修改)", u.login), pw))),
        },
        "disable" => app.set_user_disabled(c, &u.login, true).await.map(|_| None),
        "enable" => app.set_user_disabled(c, &u.login, false).await.map(|_| None),
        "reset" => app.reset_password(c, &u.login).await.map(|pw| Some((format!("{} 的新初始密码", u.login), pw))),
        "token" => {
            app.create_token(c, &u.login, &f.label).await.map(|t| Some((format!("{} 的接口令牌(只显示这一次)", u.login), t)))
        }
        "revoke" => match f.id.trim().parse() {
            Ok(id) => app.revoke_token(c, id).await.map(|_| None),
            Err(_) => Err(service::ServiceError::BadRequest("令牌编号不正确 / bad token id".into())),
        },
        other => Err(service::ServiceError::BadRequest(format!("未知操作“{other}”"))),
    };
    let (secret, error, form, status) = match result {
        Ok(secret) => (secret, None, AddUserForm::default(), StatusCode::OK),
        Err(e) => {
            let e = WebError::from(e);
            (None, Some(e.message), f.user.clone(), e.status)
        }
    };
    Ok((status, page(&app, &authed, secret, error, form).await?).into_response())
}
