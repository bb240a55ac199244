//! A capture SMTP server on loopback for the reminder tests: the SMTP conversation is
//! `mailin`'s (a real server-side state machine), the messages are kept in memory.
use mailin::{Action, Handler, Response, SessionBuilder};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// One message as received.
#[derive(Debug, Clone)]
pub struct Captured {
    pub to: Vec<String>,
    /// Headers and body, as sent.
    pub data: String,
}

impl Captured {
    pub fn header(&self, name: &str) -> Option<String> {
        let prefix = format!("{}:", name.to_ascii_lowercase());
        self.data
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with(&prefix))
            .map(|l| l[prefix.len()..].trim().to_string())
    }
}

#[derive(Clone)]
struct Keep {
    messages: Arc<Mutex<Vec<Captured>>>,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Keep {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.data.clear();
        mailin::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        self.messages.lock().unwrap().push(Captured {
            to: std::mem::take(&mut self.to),
            data: String::from_utf8_lossy(&self.data).into_owned(),
        });
        mailin::response::OK
    }
}

pub struct SmtpCapture {
    pub addr: SocketAddr,
    messages: Arc<Mutex<Vec<Captured>>>,
}

impl SmtpCapture {
    /// Listens on a free loopback port until the test process ends.
    pub fn start() -> SmtpCapture {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let kept = messages.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let kept = kept.clone();
                std::thread::spawn(move || converse(stream, kept));
            }
        });
        SmtpCapture { addr, messages }
    }

    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    pub fn messages(&self) -> Vec<Captured> {
        self.messages.lock().unwrap().clone()
    }
}

fn converse(stream: TcpStream, messages: Arc<Mutex<Vec<Captured>>>) {
    let peer = stream.peer_addr().unwrap().ip();
    let handler = Keep {
        messages,
        to: Vec::new(),
        data: Vec::new(),
    };
    let mut session = SessionBuilder::new("capture.test").build(peer, handler);
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    session.greeting().write_to(&mut writer).unwrap();
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).unwrap_or(0) == 0 {
            return;
        }
        let response = session.process(&line);
        match response.action {
            Action::Reply => response.write_to(&mut writer).unwrap(),
            Action::Close => {
                let _ = response.write_to(&mut writer);
                let _ = writer.flush();
                return;
            }
            Action::NoReply => {}
            Action::UpgradeTls => return,
        }
        writer.flush().unwrap();
    }
}
