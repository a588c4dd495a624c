import { stamp } from "../shared/format";
import "../styles/items.css";

const status = document.querySelector<HTMLElement>("[data-status]");
if (status) status.textContent = stamp("items script ran");
