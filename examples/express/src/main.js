import "./main.css";

document.querySelector("h1").textContent = "Hello from Vite";
